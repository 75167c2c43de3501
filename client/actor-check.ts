import { closestName } from '../protocols/index.ts';
import type { ActorInfo } from '../protocols/index.ts';
import type { NodeQuery } from './node-query.ts';

/** Whether an actor runs, as the live nodes told it. */
export type ActorCheck =
  /** A live node of its site runs it. */
  | { readonly kind: 'running'; readonly node: string }
  /** Every live node of its site answered and none runs it; `suggestion`: a running actor with a close id. */
  | { readonly kind: 'missing'; readonly suggestion?: string }
  /** Cannot tell: no node of its site is alive (a cut-off edge), or some of its live nodes did not answer. */
  | { readonly kind: 'unknown'; readonly why: string };

/**
 * Looks for actor `actor` of site `site` in what every live node reported (CairnClient.listActors).
 * A site that is offline, or a node that did not answer, leaves the answer open rather than
 * calling the actor missing. Pure.
 */
export function checkActor(actor: string, site: string, query: NodeQuery<ActorInfo>): ActorCheck {
  const onSite = query.results.filter((a) => a.site === site);
  const found = onSite.find((a) => a.id === actor);
  if (found) return { kind: 'running', node: found.node };
  if (query.offline.some((s) => s.site === site)) return { kind: 'unknown', why: `no node of site "${site}" is alive (a cut-off site keeps the message in this site's outbox until its link returns)` };
  if (query.failures.length > 0) return { kind: 'unknown', why: `${query.failures.length} live node(s) did not answer: ${query.failures.map((f) => f.message).join('; ')}` };
  const suggestion = closestName(actor, [...new Set(onSite.map((a) => a.id))]);
  return { kind: 'missing', ...(suggestion ? { suggestion } : {}) };
}
