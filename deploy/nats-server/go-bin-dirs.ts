import { delimiter, join } from 'node:path';

/**
 * Where `go install` puts binaries, read from the environment without running Go: `GOBIN`, else
 * `bin` under each `GOPATH` entry, else `$HOME/go/bin` (Go's default GOPATH). The first is where
 * `go install` writes; all are searched.
 */
export function goBinDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  const add = (d: string | undefined): void => {
    if (d !== undefined && d !== '' && !dirs.includes(d)) dirs.push(d);
  };
  add(env['GOBIN']);
  for (const p of (env['GOPATH'] ?? '').split(delimiter)) if (p !== '') add(join(p, 'bin'));
  if (env['HOME'] !== undefined && env['HOME'] !== '') add(join(env['HOME'], 'go', 'bin'));
  return dirs;
}
