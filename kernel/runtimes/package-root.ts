import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Cairn's package root, the folder whose package.json is named "cairn": this repository when
 * Cairn runs from its sources, `node_modules/cairn` when it is installed (code then runs from
 * `dist/`, one level deeper, so paths are not fixed relative to a module).
 */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cairn') return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json named "cairn" above ${from}`);
  }
}

/**
 * The path of one of Cairn's own modules, `relative` to the module at `fromUrl` and without an
 * extension, in the form the caller runs from: `.ts` beside a source file, `.js` beside a built one.
 */
export function ownModulePath(fromUrl: string, relative: string): string {
  const from = fileURLToPath(fromUrl);
  return join(dirname(from), `${relative}${extname(from)}`);
}

/** As ownModulePath, as a file URL. */
export function ownModuleUrl(fromUrl: string, relative: string): string {
  return pathToFileURL(ownModulePath(fromUrl, relative)).href;
}

/**
 * The `node_modules` folder that holds Cairn's dependencies: its own (running from a checkout), or
 * the one it is installed in (a project's, where npm hoists them). Bundled guests resolve their
 * packages from there, and container guests mount it.
 */
export function dependenciesDir(): string {
  const installedIn = dirname(PACKAGE_ROOT);
  return installedIn.endsWith(`${'/'}node_modules`) || installedIn.endsWith('\\node_modules') ? installedIn : join(PACKAGE_ROOT, 'node_modules');
}
