import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { match } from 'ts-pattern';
import type { RuntimeSpec } from '../../kernel/index.ts';
import { jsProcessSpec } from '../../kernel/runtimes/index.ts';
import type { Actor, Application } from '../manifest/index.ts';

/**
 * `behaviour.module` as the node should import it: a relative or absolute path becomes an absolute
 * path (relative ones against `appDir`, the directory the manifest's paths are relative to); a
 * package name is kept as is.
 */
export function resolveModulePath(module: string, appDir: string): string {
  if (module.startsWith('file:')) return module;
  if (isAbsolute(module) || module.startsWith('./') || module.startsWith('../') || module === '.' || module === '..') return resolve(appDir, module);
  return module;
}

/** The specifier for `import()`: a file URL for paths, the package name otherwise. */
export function importSpecifier(resolved: string): string {
  return isAbsolute(resolved) ? pathToFileURL(resolved).href : resolved;
}

/** The image tag used for an actor whose container is built without `container.image`. */
export function builtImageTag(app: string, actor: string): string {
  return `cairn-app-${app}-${actor}:latest`.toLowerCase();
}

/**
 * One manifest actor → where its handler runs (the kernel's RuntimeSpec). Pure, except that process
 * mode bundles the module with the guest runtime (esbuild, once per module and export) to name the
 * file the child runs; a module that does not resolve fails here, before anything starts.
 * - inline: the node's event loop.
 * - worker: a worker thread importing the module.
 * - process: a Node process running the module through Cairn's stdio guest, with `env`.
 * - container: the image (or `build`, tagged with `image` or a generated tag); the image's entrypoint
 *   gets `<module> <export>` as arguments (what Cairn's stdio guest takes), `resources` become limits.
 */
export function resolveRuntime(actor: Actor, app: Application, appDir: string): RuntimeSpec {
  const env = Object.keys(actor.env).length > 0 ? { env: actor.env } : {};
  return match(actor.mode)
    .with('inline', (): RuntimeSpec => ({ mode: 'inline' }))
    .with('worker', (): RuntimeSpec => ({ mode: 'worker', module: resolveModulePath(actor.behaviour.module, appDir), export: actor.behaviour.export }))
    .with('process', (): RuntimeSpec => ({ ...jsProcessSpec(resolveModulePath(actor.behaviour.module, appDir), actor.behaviour.export), ...env }))
    .with('container', (): RuntimeSpec => {
      const c = actor.container ?? {};
      const r = actor.resources ?? {};
      const limits = {
        ...(r.cpu === undefined ? {} : { cpus: r.cpu }),
        ...(r.memoryMb === undefined ? {} : { memoryMb: r.memoryMb }),
        ...(r.pids === undefined ? {} : { pids: r.pids }),
      };
      return {
        mode: 'container',
        image: c.image ?? builtImageTag(app.metadata.name, actor.id),
        ...(c.build ? { build: { context: resolve(appDir, c.build.context), dockerfile: c.build.dockerfile } } : {}),
        cmd: [actor.behaviour.module, actor.behaviour.export],
        ...env,
        ...(c.binds ? { binds: c.binds } : {}),
        ...(c.network ? { network: c.network } : {}),
        ...(Object.keys(limits).length > 0 ? { limits } : {}),
      };
    })
    .exhaustive();
}

/**
 * How an actor runs when placement puts it on another node of the site than the leader's: inline
 * code cannot be sent there, so an inline actor runs in a worker thread of that node, importing
 * the same module and export (which must then be a defineActor result, not a config factory).
 */
export function hostedRuntime(actor: Actor, app: Application, appDir: string): RuntimeSpec {
  if (actor.mode !== 'inline') return resolveRuntime(actor, app, appDir);
  return { mode: 'worker', module: resolveModulePath(actor.behaviour.module, appDir), export: actor.behaviour.export };
}
