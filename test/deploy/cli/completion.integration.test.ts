import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAIRN_BIN, cleanEnv, runBin } from './cli-harness.ts';

// The scripts `cairn completion <shell>` prints call `cairn` by name: a `cairn` on PATH runs this checkout.
let binDir: string;
beforeAll(async () => {
  binDir = await mkdtemp(join(tmpdir(), 'cairn-completion-'));
  await writeFile(join(binDir, 'cairn'), `#!/bin/sh\nexec "${process.execPath}" "${CAIRN_BIN}" "$@"\n`);
  await chmod(join(binDir, 'cairn'), 0o755);
});
afterAll(async () => {
  await rm(binDir, { recursive: true, force: true });
});

/** What bash offers after `words` (the last one being completed), with the script `cairn completion bash` prints loaded. */
async function bashCompletes(words: readonly string[]): Promise<string[]> {
  const script = [
    // The helpers an interactive Debian bash loads (package bash-completion; .ci/run installs it).
    'source /usr/share/bash-completion/bash_completion',
    'source <(cairn completion bash)',
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    `COMP_LINE='${words.join(' ')}'`,
    `COMP_POINT=${words.join(' ').length}`,
    '__cairn_complete',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const { stdout } = await promisify(execFile)('bash', ['-c', script], { env: cleanEnv({ PATH: `${binDir}:${process.env.PATH}` }) });
  return stdout.split('\n').filter((l) => l !== '');
}

describe('shell completion', () => {
  it('cairn completion - prints a script for bash, zsh, fish and powershell; another shell is a usage error', async () => {
    for (const shell of ['bash', 'zsh', 'fish', 'powershell']) {
      const r = await runBin(['completion', shell]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/cairn complete '?--/);
    }
    const bad = await runBin(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/zsh, bash, fish, powershell/);
  });

  it('completion in bash - offers commands, their options and the choices of -o', async () => {
    expect(await bashCompletes(['cairn', 'do'])).toEqual(['doctor']);
    expect(await bashCompletes(['cairn', 'ps', '--wa'])).toEqual(['--watch']);
    expect(await bashCompletes(['cairn', 'ps', '-o', ''])).toEqual(['json', 'yaml']);
    expect(await bashCompletes(['cairn', 'site', ''])).toEqual(expect.arrayContaining(['init', 'up', 'join']));
  });
});
