import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { match } from 'ts-pattern';
import type { RuntimeSpec } from '../kernel/index.ts';
import { hostRuntimeContainerSpec, jsContainerSpec, jsProcessSpec } from '../kernel/runtimes/index.ts';
import { CairnError, DeployCodes } from '../protocols/index.ts';
import type { Actor, Application, Program } from './manifest/index.ts';

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
 * A `program` runs its command in its folder: a child process (process), or in the container (its
 * image, else Cairn's base image with the host's runtimes, as hostRuntimeContainerSpec).
 */
export function resolveRuntime(actor: Actor, app: Application, appDir: string, code: ActorCode = codeOf(actor, appDir)): RuntimeSpec {
  const env = Object.keys(actor.env).length > 0 ? { env: actor.env } : {};
  const program = actor.program === undefined ? undefined : programIn(actor.program, appDir);
  return match(actor.mode)
    .with('inline', (): RuntimeSpec => ({ mode: 'inline' }))
    .with('worker', (): RuntimeSpec => ({ mode: 'worker', module: needCode(actor, code).module, export: needCode(actor, code).export, ...env }))
    .with('process', (): RuntimeSpec =>
      program
        ? { mode: 'process', command: program.command[0]!, args: program.command.slice(1), ...(program.dir ? { cwd: program.dir } : {}), ...env }
        : { ...jsProcessSpec(needCode(actor, code).module, needCode(actor, code).export), ...env },
    )
    .with('container', (): RuntimeSpec => {
      const c = actor.container ?? {};
      const r = actor.resources ?? {};
      const limits = {
        ...(r.cpu === undefined ? {} : { cpus: r.cpu }),
        ...(r.memoryMb === undefined ? {} : { memoryMb: r.memoryMb }),
        ...(r.pids === undefined ? {} : { pids: r.pids }),
      };
      const limited = Object.keys(limits).length > 0 ? { limits } : {};
      if (program && c.image === undefined && c.imageId === undefined && c.build === undefined) {
        // The program with the host's own runtimes (python3, node...) in the empty base image.
        return hostRuntimeContainerSpec(program.command, program.dir ? [program.dir] : [], { ...env, ...(c.binds ? { binds: c.binds } : {}), ...(c.network ? { network: c.network } : {}), ...limited, ...(program.dir ? { workdir: program.dir } : {}) });
      }
      if (actor.module !== undefined) {
        // A module's JavaScript runs pre-bundled with the host's node, in the empty base image.
        const mod = needCode(actor, code);
        return jsContainerSpec(mod.module, mod.export, { ...env, ...(c.binds ? { binds: c.binds } : {}), ...(c.network ? { network: c.network } : {}), ...limited });
      }
      // The image's entrypoint gets the behaviour's module as written (a path inside the image), or
      // the image runs the program, its folder mounted read-only at the same path.
      const behaviour = program ? undefined : (actor.behaviour ?? { module: needCode(actor, code).module, export: needCode(actor, code).export });
      const programBinds = program?.dir ? [`${program.dir}:${program.dir}:ro`] : [];
      const binds = [...programBinds, ...(c.binds ?? [])];
      return {
        mode: 'container',
        // A pinned image (container.imageId) runs by its id, whatever its tag points at now.
        image: c.imageId ?? c.image ?? builtImageTag(app.metadata.name, actor.id),
        ...(c.build ? { build: { context: resolve(appDir, c.build.context), dockerfile: c.build.dockerfile, ...(c.build.key ? { key: c.build.key } : {}) } } : {}),
        // A program is the whole command line, whatever entry point the image has.
        ...(program ? { entrypoint: program.command } : { cmd: [behaviour!.module, behaviour!.export] }),
        ...(program?.dir ? { workdir: program.dir } : {}),
        ...env,
        ...(binds.length > 0 ? { binds } : {}),
        ...(c.network ? { network: c.network } : {}),
        ...limited,
      };
    })
    .exhaustive();
}

/**
 * How an actor runs when placement puts it on another node of the site than the leader's: inline
 * code cannot be sent there, so an inline actor runs in a worker thread of that node, importing
 * the same module and export (which must then be a defineActor result, not a config factory).
 */
export function hostedRuntime(actor: Actor, app: Application, appDir: string, code: ActorCode = codeOf(actor, appDir)): RuntimeSpec {
  if (actor.mode !== 'inline') return resolveRuntime(actor, app, appDir, code);
  const mod = needCode(actor, code);
  return { mode: 'worker', module: mod.module, export: mod.export };
}

/**
 * A program with its folder as this node runs it: `dir` resolved against `appDir` (a delivered
 * folder is already an absolute path in the site's cache), and a command `./name` or `../name` in
 * that folder made absolute (a bare name is looked up on PATH). Pure.
 */
export function programIn(program: Program, appDir: string): Program {
  const dir = program.dir === undefined ? undefined : resolve(appDir, program.dir);
  const [command, ...args] = program.command;
  const local = dir !== undefined && (command!.startsWith('./') || command!.startsWith('../'));
  return { command: [local ? resolve(dir, command!) : command!, ...args], ...(dir === undefined ? {} : { dir }) };
}

/** Where a guest imports an actor's behaviour from; undefined for a module that runs inline only. */
export type ActorCode = { readonly module: string; readonly export: string } | undefined;

/** A behaviour actor's code: its module resolved against `appDir`, and its export. (A module actor's comes from its definition: moduleCode.) */
export function codeOf(actor: Actor, appDir: string): ActorCode {
  return actor.behaviour ? { module: resolveModulePath(actor.behaviour.module, appDir), export: actor.behaviour.export } : undefined;
}

function needCode(actor: Actor, code: ActorCode): NonNullable<ActorCode> {
  if (code) return code;
  throw new CairnError(
    DeployCodes.APP_MODULE_INVALID,
    `actor "${actor.id}" (module ${actor.module ?? '?'}) runs inline only: its module has no source for a ${actor.mode === 'inline' ? 'worker on another node (it was placed off the leader)' : `${actor.mode} guest`}; keep it inline, or place it on the site's leader`,
    { details: { actor: actor.id, module: actor.module } },
  );
}
