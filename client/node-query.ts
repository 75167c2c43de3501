import type { SiteSummary } from './site-summary.ts';

/**
 * What asking every live node gave: the replies, the sites that were not asked because none of
 * their nodes is alive, and the live nodes that did not answer. A partial answer is an answer: an
 * operator's view of a fleet with an edge offline is still a view.
 */
export interface NodeQuery<T> {
  readonly results: readonly T[];
  readonly offline: readonly SiteSummary[];
  readonly failures: readonly Error[];
}

/** Splits settled node replies into results and failures, keeping their order. */
export function collectReplies<T>(settled: readonly PromiseSettledResult<T>[]): { results: T[]; failures: Error[] } {
  const results: T[] = [];
  const failures: Error[] = [];
  for (const r of settled) {
    if (r.status === 'fulfilled') results.push(r.value);
    else failures.push(r.reason instanceof Error ? r.reason : new Error(String(r.reason)));
  }
  return { results, failures };
}
