import { isNodeAlive } from './node-liveness.ts';
import type { NodeInfo } from './node-info.ts';
import type { NodeUsage } from './node-usage.ts';
import type { PlacementRequest } from './placement-request.ts';
import { Spread } from './spread.ts';

/** What a node is judged against for one replica. */
export interface RefusalContext {
  request: PlacementRequest;
  replica: number;
  /** Set for one-per-site replicas: the only site they may run on. */
  site?: string;
  now: number;
  nodeTimeoutMs: number;
}

function num(n: number): string {
  return String(Number(n.toFixed(3)));
}

/** The node's labels with `site` always present, so `nodeSelector: { site: ... }` works. */
export function effectiveLabels(node: NodeInfo): Record<string, string> {
  return { ...node.labels, site: node.site };
}

/**
 * Why the node may never run this replica, whatever else runs on it: dead, draining, wrong site,
 * missing label. Empty when the node is eligible.
 */
export function eligibilityRefusals(node: NodeInfo, ctx: RefusalContext): string[] {
  const out: string[] = [];
  if (!isNodeAlive(node, ctx.now, ctx.nodeTimeoutMs)) {
    out.push(`not seen for ${num(ctx.now - node.lastSeen)} ms (timeout ${num(ctx.nodeTimeoutMs)} ms)`);
  }
  if (node.draining === true) out.push('draining');
  const sites = ctx.request.sites;
  if (sites !== undefined && !sites.includes(node.site)) {
    out.push(`site ${node.site} not in requested sites [${[...sites].sort().join(', ')}]`);
  }
  if (ctx.site !== undefined && node.site !== ctx.site) {
    out.push(`in site ${node.site}, this replica is for site ${ctx.site}`);
  }
  const labels = effectiveLabels(node);
  for (const [key, want] of Object.entries(ctx.request.nodeSelector ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const have = labels[key];
    if (have === undefined) out.push(`label ${key}=${want} missing`);
    else if (have !== want) out.push(`label ${key}=${have}, needs ${key}=${want}`);
  }
  return out;
}

/** Why the node cannot take this replica now, given what already runs on it. */
export function capacityRefusals(node: NodeInfo, ctx: RefusalContext, usage: NodeUsage): string[] {
  const out: string[] = [];
  const { request } = ctx;
  if (request.spread === Spread.OnePerNode) {
    const others = [...usage.replicasOn(node.id, request)].filter((r) => r !== ctx.replica).sort((a, b) => a - b);
    if (others.length > 0) {
      out.push(`already runs replica ${others.join(', ')} of ${request.app}/${request.actor} (spread one-per-node)`);
    }
  }
  const free = usage.free(node);
  if (!usage.fits(node, { cpu: request.resources.cpu, memoryMb: 0 })) {
    out.push(`needs ${num(request.resources.cpu)} CPU, ${num(Math.max(0, free.cpu))} CPU free`);
  }
  if (!usage.fits(node, { cpu: 0, memoryMb: request.resources.memoryMb })) {
    out.push(`needs ${num(request.resources.memoryMb)} MB memory, ${num(Math.max(0, free.memoryMb))} MB free`);
  }
  return out;
}

/** Every reason at once, so an operator sees the whole picture for the node. */
export function allRefusals(node: NodeInfo, ctx: RefusalContext, usage: NodeUsage): string[] {
  return [...eligibilityRefusals(node, ctx), ...capacityRefusals(node, ctx, usage)];
}

/** "node edge1-a: label gpu=true missing; needs 2 CPU, 0.5 CPU free" */
export function formatRefusal(node: NodeInfo, refusals: readonly string[]): string {
  return `node ${node.id}: ${refusals.join('; ')}`;
}
