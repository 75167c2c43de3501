import type { Application } from './manifest/index.ts';
import type { LoadedActor } from './load-behaviour.ts';

/**
 * The application with the routes its modules need appended to the manifest's: for each actor of
 * a module that declares routes, one route per source to that actor, in actor order. The
 * manifest's own routes keep their indexes (route de-duplication ids carry them); a module route
 * the manifest already has (same source, same actor) is not added twice. Pure.
 */
export function withModuleRoutes(app: Application, loaded: ReadonlyMap<string, Pick<LoadedActor, 'module' | 'config'>>): Application {
  const key = (r: { from: { mqtt?: string; subject?: string }; to: { actor: string } }): string => JSON.stringify([r.from.mqtt, r.from.subject, r.to.actor]);
  const have = new Set(app.spec.routes.map(key));
  const extra = app.spec.actors.flatMap((actor) => {
    const l = loaded.get(actor.id);
    if (!l?.module?.routes) return [];
    return l.module.routes(l.config as never).map((from) => ({ from: from.mqtt !== undefined ? { mqtt: from.mqtt } : { subject: from.subject }, to: { actor: actor.id } }));
  }).filter((r) => {
    const k = key(r);
    if (have.has(k)) return false;
    have.add(k);
    return true;
  });
  return extra.length === 0 ? app : { ...app, spec: { ...app.spec, routes: [...app.spec.routes, ...extra] } };
}
