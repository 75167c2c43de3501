import { isNodeAlive } from '../protocols/index.ts';
import type { NodeRecord } from '../protocols/index.ts';

/** One site as its registered nodes show it. */
export interface SiteSummary {
  readonly site: string;
  /** Nodes registered (live or not). */
  readonly nodes: number;
  /** Nodes heard within the liveness timeout. */
  readonly live: number;
  /** Whether any node of the site is live. */
  readonly online: boolean;
  /** The last heartbeat of any of its nodes (ms since the epoch). */
  readonly lastSeen: number;
}

/**
 * The sites a set of registered nodes belongs to, sorted by name. A site with no live node is
 * offline: its actors cannot be listed, its mailbox still takes messages (edges buffer).
 */
export function summarizeSites(nodes: readonly NodeRecord[], now: number): SiteSummary[] {
  const bySite = new Map<string, NodeRecord[]>();
  for (const n of nodes) bySite.set(n.site, [...(bySite.get(n.site) ?? []), n]);
  return [...bySite]
    .map(([site, list]): SiteSummary => {
      const live = list.filter((n) => isNodeAlive(n, now)).length;
      return { site, nodes: list.length, live, online: live > 0, lastSeen: Math.max(...list.map((n) => n.lastSeen)) };
    })
    .sort((a, b) => a.site.localeCompare(b.site));
}
