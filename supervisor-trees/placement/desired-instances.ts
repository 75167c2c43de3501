import { instanceIdFor } from './instance-id.ts';
import type { NodeInfo } from './node-info.ts';
import { effectiveLabels } from './node-refusals.ts';
import type { PlacementRequest } from './placement-request.ts';
import { Spread } from './spread.ts';

/** One replica a request wants to exist. */
export interface DesiredInstance {
  request: PlacementRequest;
  replica: number;
  instanceId: string;
  /** For one-per-site: the site this replica belongs to. */
  site?: string;
}

function matchesSelector(node: NodeInfo, selector: Record<string, string>): boolean {
  const labels = effectiveLabels(node);
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * The sites a one-per-site request targets: its `sites` when given, otherwise every site with a
 * registered node whose labels match the selector. Liveness and draining do not count here: a site
 * whose nodes are all down still wants its replica (it is reported unplaced, not forgotten).
 */
export function targetSites(request: PlacementRequest, nodes: readonly NodeInfo[]): string[] {
  const sites = request.sites ?? nodes.filter((n) => matchesSelector(n, request.nodeSelector ?? {})).map((n) => n.site);
  return [...new Set(sites)].sort();
}

/** Replicas 0..replicas-1, or one per target site for one-per-site. */
export function desiredInstances(request: PlacementRequest, nodes: readonly NodeInfo[]): DesiredInstance[] {
  if (request.spread === Spread.OnePerSite) {
    return targetSites(request, nodes).map((site, replica) => ({
      request,
      replica,
      site,
      instanceId: instanceIdFor(request.actor, request.spread, replica, site),
    }));
  }
  return Array.from({ length: request.replicas }, (_, replica) => ({
    request,
    replica,
    instanceId: instanceIdFor(request.actor, request.spread, replica),
  }));
}
