import type { ActorDefinition } from '../../kernel/index.ts';
import type { SupervisorSpec } from '../../supervisor-trees/index.ts';
import type { Actor, Application } from '../manifest/index.ts';
import { resolveRuntime } from './resolve-runtime.ts';

/** Id of the supervisor tree that runs an application on a node. */
export function appTreeId(app: string): string {
  return `app-${app}`;
}

/**
 * An application's actors on one site → one supervisor tree `app-<name>`: the manifest's
 * supervisor flags, one child per actor in manifest order (restart, shutdownMs, runtime from mode).
 * Pure: behaviours are loaded beforehand (`definitions`, by actor id).
 */
export function appTreeSpec(app: Application, actors: readonly Actor[], definitions: ReadonlyMap<string, ActorDefinition<any, any>>, appDir: string): SupervisorSpec { // eslint-disable-line @typescript-eslint/no-explicit-any
  const s = app.spec.supervisor;
  return {
    id: appTreeId(app.metadata.name),
    strategy: s.strategy,
    intensity: s.intensity,
    periodMs: s.periodMs,
    ...(s.backoff ? { backoff: s.backoff } : {}),
    children: actors.map((a) => {
      const actor = definitions.get(a.id);
      if (!actor) throw new Error(`appTreeSpec: no behaviour loaded for actor "${a.id}"`);
      return { id: a.id, actor, runtime: resolveRuntime(a, app, appDir), restart: a.restart, shutdownMs: a.shutdownMs };
    }),
  };
}
