import type { Actor, Application } from '../manifest/index.ts';
import { canonicalJson } from './app-record.ts';

/**
 * The actors of `app` that run on `site`: `placement.sites` absent means every site, present means
 * only the listed ones. Replicas and spread are not applied (one copy per targeted site).
 */
export function actorsForSite(app: Application, site: string): Actor[] {
  return app.spec.actors.filter((a) => a.placement.sites === undefined || a.placement.sites.includes(site));
}

/**
 * What decides whether a site must restart an app's tree: its supervisor flags and the actors that
 * run here. A revision that only changes other sites' actors (or labels) keeps the same fingerprint.
 */
export function siteFingerprint(app: Application, site: string): string {
  return canonicalJson({ supervisor: app.spec.supervisor, actors: actorsForSite(app, site) });
}
