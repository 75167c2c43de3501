import { Spread, instanceIdFor } from '../supervisor-trees/placement/index.ts';
import type { NodeInfo, PlacementRequest } from '../supervisor-trees/placement/index.ts';
import type { NodeRecord } from '../protocols/index.ts';
import type { Actor, Application } from './manifest/index.ts';

/** One copy of a manifest actor that a site runs: a child of the app's tree, with its own mailbox. */
export interface SiteInstance {
  readonly actor: Actor;
  /** The child id and mailbox name: the actor id for replica 0, `<actor>-<n>` for replica n. */
  readonly instanceId: string;
  readonly replica: number;
}

/** How many instances `siteInstances(actors)` makes, counted without making them. Pure. */
export function siteInstanceCount(actors: readonly Actor[]): number {
  return actors.reduce((n, actor) => n + (actor.placement.spread === Spread.OnePerSite ? 1 : actor.replicas), 0);
}

/**
 * The instances of `actors` one site runs. `one-per-site` runs one, under the actor's own id;
 * `none` and `one-per-node` run `replicas` on this site's nodes (instance ids from
 * `instanceIdFor`, so replica 0 keeps the bare id and scaling up never renames it). Pure.
 */
export function siteInstances(actors: readonly Actor[]): SiteInstance[] {
  return actors.flatMap((actor) => {
    const count = actor.placement.spread === Spread.OnePerSite ? 1 : actor.replicas;
    return Array.from({ length: count }, (_, replica) => ({ actor, replica, instanceId: instanceIdFor(actor.id, Spread.None, replica) }));
  });
}

/**
 * What placement is asked for one actor on one site: its replicas over this site's nodes, with
 * its node selector, spread and resources. `one-per-site` is one replica here (`none`). Pure.
 */
export function sitePlacementRequest(app: Application, actor: Actor, site: string): PlacementRequest {
  const onePerSite = actor.placement.spread === Spread.OnePerSite;
  return {
    app: app.metadata.name,
    actor: actor.id,
    replicas: onePerSite ? 1 : actor.replicas,
    sites: [site],
    ...(actor.placement.nodeSelector ? { nodeSelector: { ...actor.placement.nodeSelector } } : {}),
    spread: onePerSite ? Spread.None : actor.placement.spread,
    resources: { cpu: actor.resources?.cpu ?? 0, memoryMb: actor.resources?.memoryMb ?? 0 },
  };
}

/** A node registry record as placement sees it. Pure. */
export function nodeInfoOf(record: NodeRecord): NodeInfo {
  return {
    id: record.id,
    site: record.site,
    labels: { ...record.labels, site: record.site },
    capacity: { cpu: record.resources?.cpus ?? 0, memoryMb: record.resources?.memoryMb ?? 0 },
    lastSeen: record.lastSeen,
  };
}

/**
 * Whether this site is one of the actor's targets, as `place()` decides them for `one-per-site`
 * without `placement.sites`: a site with a registered node (alive or not) carrying every label of
 * the selector. Other actors target every site their `placement.sites` allows. Pure.
 */
export function targetsSite(actor: Actor, site: string, nodes: readonly NodeRecord[]): boolean {
  if (actor.placement.spread !== Spread.OnePerSite || actor.placement.sites !== undefined) return true;
  const selector = Object.entries(actor.placement.nodeSelector ?? {});
  return nodes.some((n) => n.site === site && selector.every(([k, v]) => ({ ...n.labels, site: n.site })[k] === v));
}
