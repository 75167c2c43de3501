import type { Actor, Application } from './manifest/index.ts';
import { canonicalJson } from './app-record.ts';

/**
 * The actors of `app` that run on `site`: `placement.sites` absent means every site, present means
 * only the listed ones. Replicas and spread are not applied (one copy per targeted site).
 */
export function actorsForSite(app: Application, site: string): Actor[] {
  return app.spec.actors.filter((a) => a.placement.sites === undefined || a.placement.sites.includes(site));
}

/**
 * What decides whether a site must restart an app's tree: its supervisor flags, the actors that
 * run here and the routes to them (in order: a route's index travels with what it delivers). A
 * revision that only changes other sites' actors or routes (or labels) keeps the same fingerprint.
 */
export function siteFingerprint(app: Application, site: string): string {
  const actors = actorsForSite(app, site);
  const here = new Set(actors.map((a) => a.id));
  const routes = app.spec.routes.map((r, index) => ({ index, route: r })).filter(({ route }) => here.has(route.to.actor));
  return canonicalJson({ supervisor: app.spec.supervisor, actors, ...(routes.length > 0 ? { routes } : {}) });
}
