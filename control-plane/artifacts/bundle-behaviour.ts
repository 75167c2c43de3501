import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { PACKAGE_ROOT } from '../../kernel/runtimes/index.ts';
import { CAIRN_RUNTIME_SCHEME, ownModuleOf, packageEntryPath } from './cairn-imports.ts';

/** One behaviour built into an artifact: one ESM file with its npm dependencies, Cairn left to the node. */
export interface BuiltArtifact {
  readonly bytes: Uint8Array;
  /** SHA-256 of `bytes`, hex. */
  readonly sha256: string;
}

/**
 * Cairn's own modules stay imports (`cairn-runtime:<path>`), linked by the node that loads the
 * artifact: `cairn` and its entries by name, and Cairn's source files by relative path (how the
 * repository's examples import it).
 */
function cairnExternal(): Plugin {
  return {
    name: 'cairn-runtime',
    setup(build) {
      build.onResolve({ filter: /^cairn(\/.*)?$/ }, (args) => {
        const entry = packageEntryPath(args.path);
        if (entry === undefined) return { errors: [{ text: `"${args.path}" is not an entry of the cairn package (entries: cairn, cairn/client, cairn/manifest, cairn/module, cairn/testing, cairn/internal)` }] };
        return { path: `${CAIRN_RUNTIME_SCHEME}${entry}`, external: true };
      });
      build.onResolve({ filter: /^\.\.?(\/|$)/ }, (args) => {
        // Through symlinks (a folder that links to Cairn's sources): what counts is the real file.
        const target = resolve(args.resolveDir, args.path);
        const rel = relative(PACKAGE_ROOT, existsSync(target) ? realpathSync(target) : target);
        if (isAbsolute(rel)) return undefined;
        const own = ownModuleOf(rel);
        return own === undefined ? undefined : { path: `${CAIRN_RUNTIME_SCHEME}${own}`, external: true };
      });
    },
  };
}

/**
 * Bundles a JavaScript or TypeScript behaviour module and the packages it imports into one ESM file
 * (node builtins and Cairn stay imports). Paths in the output (esbuild's comments) are relative to
 * the module's own folder, so the same files give the same bytes, and the same digest, whichever
 * manifest names them and wherever they are applied from. Throws esbuild's error (with file and
 * line) when the module does not build.
 */
export async function bundleBehaviour(modulePath: string): Promise<BuiltArtifact> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [modulePath],
    absWorkingDir: dirname(modulePath),
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    plugins: [cairnExternal()],
    // CommonJS packages bundled into ESM call require() for node builtins: give them one.
    banner: { js: "import { createRequire as __cairnCreateRequire } from 'node:module'; const require = __cairnCreateRequire(import.meta.url);" },
  });
  const bytes = result.outputFiles[0]!.contents;
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
