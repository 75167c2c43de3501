import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { CairnError, KernelCodes } from '../../protocols/index.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
/** Bundles live under the repo's node_modules, so their package imports resolve from there. */
const BUNDLE_DIR = join(REPO, 'node_modules', '.cache', 'cairn-guests');
const built = new Map<string, string>();

/**
 * Compiles a JavaScript/TypeScript behaviour module and the stdio guest runtime into one plain
 * ESM file (packages stay external), so a process or container guest starts with `node <file>`:
 * compiling TypeScript with tsx at every start cost ~1 s per restart (bench/RESULTS.md). Built
 * once per module and export in this process; a changed module needs a new spawn spec.
 */
export function bundleJsGuest(modulePath: string, exportName: string): string {
  const key = `${modulePath}#${exportName}`;
  const cached = built.get(key);
  if (cached) return cached;
  const outfile = join(BUNDLE_DIR, `${createHash('sha1').update(key).digest('hex').slice(0, 16)}.mjs`);
  mkdirSync(BUNDLE_DIR, { recursive: true });
  const entry = [
    `import { runStdioGuest } from ${JSON.stringify(join(REPO, 'kernel/guest/run-stdio-guest.ts'))};`,
    `import { pickDefinition } from ${JSON.stringify(join(REPO, 'kernel/guest/serve-guest.ts'))};`,
    `import * as behaviour from ${JSON.stringify(modulePath)};`,
    `await runStdioGuest(async () => pickDefinition(behaviour, ${JSON.stringify(exportName)}, ${JSON.stringify(modulePath)}));`,
  ].join('\n');
  try {
    buildSync({
      stdin: { contents: entry, resolveDir: REPO, loader: 'ts', sourcefile: 'cairn-guest-entry.ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile,
      logLevel: 'silent',
    });
  } catch (cause) {
    throw new CairnError(KernelCodes.GUEST_START_FAILED, `cannot build the guest for ${modulePath} (export "${exportName}"): ${(cause as Error).message.split('\n').slice(0, 3).join(' ')}`, { cause, details: { module: modulePath } });
  }
  built.set(key, outfile);
  return outfile;
}
