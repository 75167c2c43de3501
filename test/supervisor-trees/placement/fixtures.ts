import type { Assignment, NodeInfo, PlacementInput, PlacementRequest } from '../../../supervisor-trees/placement/index.ts';

export const NOW = 1_000_000;
export const TIMEOUT = 5_000;

export function node(id: string, site: string, opts: Partial<Omit<NodeInfo, 'id' | 'site'>> & { cpu?: number; memoryMb?: number } = {}): NodeInfo {
  const { cpu = 4, memoryMb = 4096, ...rest } = opts;
  return {
    id,
    site,
    labels: { site, arch: 'arm64', os: 'linux', ...(rest.labels ?? {}) },
    capacity: rest.capacity ?? { cpu, memoryMb },
    lastSeen: rest.lastSeen ?? NOW,
    ...(rest.draining === undefined ? {} : { draining: rest.draining }),
  };
}

export function request(actor: string, opts: Partial<PlacementRequest> = {}): PlacementRequest {
  return {
    app: 'shop',
    actor,
    replicas: 1,
    spread: 'none',
    resources: { cpu: 0.5, memoryMb: 256 },
    ...opts,
  };
}

export function input(requests: PlacementRequest[], nodes: NodeInfo[], current: Assignment[] = [], now = NOW): PlacementInput {
  return { requests, nodes, current, now, nodeTimeoutMs: TIMEOUT };
}

/** A node that stopped heartbeating longer ago than the timeout. */
export function dead(n: NodeInfo): NodeInfo {
  return { ...n, lastSeen: NOW - TIMEOUT - 1 };
}
