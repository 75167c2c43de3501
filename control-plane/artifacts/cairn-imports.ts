import { sep } from 'node:path';

/**
 * A bundled behaviour does not carry Cairn: the node that runs it provides its own, so an actor
 * defined with `defineActor` from the artifact is the node's kind of actor (one copy of the
 * kernel, its classes and registries). At bundle time every import of Cairn becomes
 * `cairn-runtime:<path in the package, without extension>`; at load time the node links each to
 * its own file.
 */
export const CAIRN_RUNTIME_SCHEME = 'cairn-runtime:';

/** The package's subpath entries (package.json `exports`) and the files behind them. */
const PACKAGE_ENTRIES: Readonly<Record<string, string>> = {
  cairn: 'package/index',
  'cairn/client': 'package/client',
  'cairn/manifest': 'package/manifest',
  'cairn/module': 'package/module',
  'cairn/testing': 'package/testing',
  'cairn/internal': 'package/internal',
};

/** Folders of Cairn's sources (a checkout) that a behaviour may import by relative path. */
const SOURCE_FOLDERS = new Set(['protocols', 'kernel', 'supervisor-trees', 'actors', 'control-plane', 'client', 'deploy', 'package']);

/** `cairn-runtime:` path of a bare `cairn` or `cairn/<entry>` import; undefined for another subpath. */
export function packageEntryPath(specifier: string): string | undefined {
  return PACKAGE_ENTRIES[specifier];
}

/**
 * The `cairn-runtime:` path of a file inside Cairn's package (given relative to its root), when it
 * is one of Cairn's own modules: its sources in a checkout or its built `dist/` when installed.
 * Anything else (examples, node_modules, the user's files) is bundled with the behaviour.
 */
export function ownModuleOf(relativeToPackage: string): string | undefined {
  const parts = relativeToPackage.split(sep).join('/').split('/');
  if (parts[0] === '..' || parts[0] === '') return undefined;
  const inDist = parts[0] === 'dist';
  const rest = inDist ? parts.slice(1) : parts;
  if (!SOURCE_FOLDERS.has(rest[0] ?? '')) return undefined;
  return rest.join('/').replace(/\.(d\.)?([cm]?[jt]s)$/, '');
}

/** Every `cairn-runtime:` path an artifact's text imports. */
export function cairnImportsOf(text: string): string[] {
  return [...new Set([...text.matchAll(/["']cairn-runtime:([A-Za-z0-9_./-]+)["']/g)].map((m) => m[1]!))];
}

/** The artifact's text with each `cairn-runtime:<path>` import replaced by the file `locate` gives. */
export function linkCairnImports(text: string, locate: (path: string) => string): string {
  return text.replace(/(["'])cairn-runtime:([A-Za-z0-9_./-]+)\1/g, (_m, _q: string, path: string) => JSON.stringify(locate(path)));
}
