import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CairnError, KernelCodes } from '../../protocols/index.ts';
import { ownModulePath, PACKAGE_ROOT } from './package-root.ts';
import { buildFileAtomically } from './build-file.ts';

/**
 * Bundles live in Cairn's own node_modules, so the packages they import (left external) resolve
 * from there: Cairn's dependencies, nested or hoisted, and the user's, in the project above it.
 */
export const GUEST_BUNDLE_DIR = join(PACKAGE_ROOT, 'node_modules', '.cache', 'cairn-guests');

/** How a bundled guest talks to its node: stdin/stdout (process, container) or a worker's message port. */
export type GuestTransport = 'stdio' | 'worker';

const RUNNERS: Record<GuestTransport, { readonly module: string; readonly fn: string }> = {
  stdio: { module: '../guest/run-stdio-guest', fn: 'runStdioGuest' },
  worker: { module: '../guest/run-worker-guest', fn: 'runWorkerGuest' },
};

/**
 * The environment Cairn's JavaScript guests start with: msgpackr's JavaScript decoder, not its
 * native add-on, whose probe is ~15 ms of every start (a guest decodes small frames).
 */
export const JS_GUEST_ENV: Readonly<Record<string, string>> = { MSGPACKR_NATIVE_ACCELERATION_DISABLED: 'true' };

const built = new Map<string, string>();

/**
 * Compiles a JavaScript/TypeScript behaviour module and Cairn's guest runtime into one plain ESM
 * file (packages stay external), so a guest starts with `node <file>` or `new Worker(<file>)` and no
 * compiler at run time (loading TypeScript with tsx cost ~0.5-1 s per restart). Cairn's own runtime
 * is taken from where Cairn runs: its sources in a checkout, its built JavaScript when installed.
 * Built once per module, export and transport in this process; a changed module needs a new node.
 */
export function bundleGuest(modulePath: string, exportName: string, transport: GuestTransport): string {
  const key = `${transport}:${modulePath}#${exportName}`;
  const cached = built.get(key);
  if (cached) return cached;
  const outfile = join(GUEST_BUNDLE_DIR, `${createHash('sha1').update(key).digest('hex').slice(0, 16)}.mjs`);
  mkdirSync(GUEST_BUNDLE_DIR, { recursive: true });
  const runner = RUNNERS[transport];
  const entry = [
    `import { ${runner.fn} } from ${JSON.stringify(ownModulePath(import.meta.url, runner.module))};`,
    `import { pickDefinition } from ${JSON.stringify(ownModulePath(import.meta.url, '../guest/serve-guest'))};`,
    `import * as behaviour from ${JSON.stringify(modulePath)};`,
    `await ${runner.fn}(async () => pickDefinition(behaviour, ${JSON.stringify(exportName)}, ${JSON.stringify(modulePath)}));`,
  ].join('\n');
  try {
    buildFileAtomically(
      {
        stdin: { contents: entry, resolveDir: PACKAGE_ROOT, loader: 'ts', sourcefile: 'cairn-guest-entry.ts' },
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        logLevel: 'silent',
      },
      outfile,
    );
  } catch (cause) {
    throw new CairnError(KernelCodes.GUEST_START_FAILED, `cannot build the guest for ${modulePath} (export "${exportName}"): ${(cause as Error).message.split('\n').slice(0, 3).join(' ')}`, { cause, details: { module: modulePath } });
  }
  built.set(key, outfile);
  return outfile;
}

/** A stdio guest (process and container modes) for a JavaScript/TypeScript module. */
export function bundleJsGuest(modulePath: string, exportName: string): string {
  return bundleGuest(modulePath, exportName, 'stdio');
}
