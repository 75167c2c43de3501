import { CairnError, DeployCodes } from '../../protocols/index.ts';
import type { ControlVerb } from '../../protocols/index.ts';
import type { CliClient } from './cli-client.ts';
import { isStale } from './cli-client.ts';
import type { CliIo } from './cli-io.ts';
import { formatDuration } from './format-duration.ts';
import type { NodeRecord } from '../../protocols/index.ts';

/** Sites none of whose nodes is alive, with the last time any of them was seen. */
export function offlineSites(nodes: readonly NodeRecord[], now: number): { site: string; lastSeen: number }[] {
  const bySite = new Map<string, NodeRecord[]>();
  for (const n of nodes) bySite.set(n.site, [...(bySite.get(n.site) ?? []), n]);
  return [...bySite]
    .filter(([, list]) => list.every((n) => isStale(n, now)))
    .map(([site, list]) => ({ site, lastSeen: Math.max(...list.map((n) => n.lastSeen)) }))
    .sort((a, b) => a.site.localeCompare(b.site));
}

/**
 * Asks every live node this site knows (its own and, on a site with peers such as the cloud, every
 * peer site's) one control verb. Sites whose nodes are all dead are reported on stderr as offline
 * with when they were last seen; nodes that do not answer are reported and left out. It fails
 * only when no node is live or none answers.
 */
export async function queryNodes<T>(client: CliClient, verb: ControlVerb, timeoutMs: number, io: CliIo): Promise<T[]> {
  const { site, server } = client.connection;
  const now = Date.now();
  const all = await client.nodes();
  for (const offline of offlineSites(all, now)) {
    io.err(`site ${offline.site} is offline: last seen ${formatDuration(now - offline.lastSeen)} ago (its actors are not listed)`);
  }
  const live = all.filter((n) => !isStale(n, now));
  if (live.length === 0) {
    throw new CairnError(DeployCodes.CLI_NO_NODES, `no live node on site "${site}" at ${server}; start one with \`cairn up\`, or pass the right --server / --site (see \`cairn nodes\`)`, { details: { site, server } });
  }
  const settled = await Promise.allSettled(live.map((n) => client.control<T>(n.id, verb, timeoutMs, n.site)));
  const replies: T[] = [];
  const failures: unknown[] = [];
  for (const r of settled) {
    if (r.status === 'fulfilled') replies.push(r.value);
    else failures.push(r.reason);
  }
  if (replies.length === 0) throw failures[0];
  for (const f of failures) io.err(`warning: ${(f as Error).message}`);
  return replies;
}
