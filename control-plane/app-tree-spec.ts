import type { HostChoice } from '../kernel/index.ts';
import type { LoadedActor } from './load-behaviour.ts';
import type { ChildInput, SupervisorSpec } from '../supervisor-trees/index.ts';
import type { Actor, Application } from './manifest/index.ts';
import { resolveRuntime } from './resolve-runtime.ts';
import { siteInstances } from './site-instances.ts';
import type { SiteInstance } from './site-instances.ts';

/** Id of the supervisor tree that runs an application on a node. */
export function appTreeId(app: string): string {
  return `app-${app}`;
}

export interface AppTreeOptions {
  /** The instances to run. @default siteInstances(actors): every replica */
  readonly instances?: readonly SiteInstance[];
  /** Which node of the site runs each incarnation of an instance. @default the leader */
  readonly hostFor?: (instance: SiteInstance) => HostChoice | undefined;
}

/**
 * An application's actors on one site → one supervisor tree `app-<name>`: the manifest's
 * supervisor flags, one child per instance in manifest order (restart, shutdownMs, runtime from
 * mode). Pure: behaviours and modules are loaded beforehand (`loaded`, by actor id).
 */
export function appTreeSpec(app: Application, actors: readonly Actor[], loaded: ReadonlyMap<string, LoadedActor>, appDir: string, opts: AppTreeOptions = {}): SupervisorSpec {
  const s = app.spec.supervisor;
  return {
    id: appTreeId(app.metadata.name),
    strategy: s.strategy,
    intensity: s.intensity,
    periodMs: s.periodMs,
    ...(s.backoff ? { backoff: s.backoff } : {}),
    children: (opts.instances ?? siteInstances(actors)).map((instance) => instanceChild(app, instance, loaded, appDir, opts.hostFor?.(instance))),
  };
}

/** One instance as a child of its app's tree: its behaviour, runtime, config (ctx.config), restart, shutdown and host choice. Pure. */
export function instanceChild(app: Application, instance: SiteInstance, loaded: ReadonlyMap<string, LoadedActor>, appDir: string, host?: HostChoice): ChildInput {
  const a = instance.actor;
  const actor = loaded.get(a.id);
  if (!actor) throw new Error(`appTreeSpec: no behaviour loaded for actor "${a.id}"`);
  return { id: instance.instanceId, actor: actor.definition, runtime: resolveRuntime(a, app, appDir, actor.code), restart: a.restart, shutdownMs: a.shutdownMs, config: actor.config, ...(host ? { host } : {}) };
}
