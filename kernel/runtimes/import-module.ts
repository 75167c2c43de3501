import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GUEST_BUNDLE_DIR } from './guest-bundle.ts';
import { buildFileAtomically } from './build-file.ts';

const TYPESCRIPT = /\.[cm]?tsx?$/;
const bundles = new Map<string, string>();
/** Bundle file → the TypeScript file it was built from. */
const origins = new Map<string, string>();

/**
 * Imports a behaviour module by file URL, path or package name. A TypeScript file is first bundled
 * to plain JavaScript (esbuild; packages stay external), so a node running from Cairn's built
 * JavaScript loads users' TypeScript without a loader; a changed file is bundled again.
 */
export async function importModule(specifier: string): Promise<Record<string, unknown>> {
  const path = specifier.startsWith('file:') ? fileURLToPath(specifier) : isAbsolute(specifier) ? specifier : undefined;
  if (path === undefined || !TYPESCRIPT.test(path)) return (await import(path === undefined ? specifier : pathToFileURL(path).href)) as Record<string, unknown>;
  return (await import(pathToFileURL(bundleModule(path)).href)) as Record<string, unknown>;
}

/** Bundles one TypeScript module to an ESM file beside the guest bundles; keyed by path and mtime. */
export function bundleModule(path: string): string {
  const key = `${path}@${statSync(path).mtimeMs}`;
  const cached = bundles.get(key);
  if (cached) return cached;
  const outfile = join(GUEST_BUNDLE_DIR, `module-${createHash('sha1').update(key).digest('hex').slice(0, 16)}.mjs`);
  mkdirSync(GUEST_BUNDLE_DIR, { recursive: true });
  buildFileAtomically({ entryPoints: [path], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent' }, outfile);
  bundles.set(key, outfile);
  origins.set(outfile, path);
  return outfile;
}

/**
 * The file a URL or path names, seen through importModule's bundling: inside a bundled TypeScript
 * module `import.meta.url` is the bundle's, and this maps it back to the source file (a module's
 * `source.url`, given to guests, must name the source). Other URLs and paths come back as paths.
 */
export function sourceFile(urlOrPath: string): string {
  const path = urlOrPath.startsWith('file:') ? fileURLToPath(urlOrPath) : urlOrPath;
  return origins.get(path) ?? path;
}
