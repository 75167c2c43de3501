/**
 * Which node of a site is its leader: the one that consumes the site's mailbox and runs its
 * supervisors. Every node runs the same pure step once per renew interval against the lease record
 * in the site's lease bucket; the bucket's compare-and-set (update at a known revision) makes sure
 * at most one claim of a given record wins.
 *
 * Expiry is judged on the observer's own clock ("this revision has not changed for `ttlMs` since I
 * first saw it"), never by comparing timestamps written by another machine, so clock skew between
 * nodes cannot elect two leaders or none.
 */

/** Who holds the lease: a node id and the run of that node (a restarted node is a new incarnation). */
export interface LeaseHolder {
  readonly node: string;
  readonly incarnation: string;
}

/** What a node knows of the lease right now. */
export interface LeaseView {
  /** The record in the bucket and its revision; undefined when there is none (or it was deleted). */
  readonly record?: { readonly holder: LeaseHolder; readonly revision: number };
  /** Local time at which this node first saw `record.revision` (unchanged since). */
  readonly seenSince: number;
}

export type LeaseStep =
  /** No lease: create it (fails if another node creates it first). */
  | { readonly action: 'create' }
  /** This run holds it: write it again at `revision`. */
  | { readonly action: 'renew'; readonly revision: number }
  /** Take it over at `revision` (fails if anyone wrote it since). */
  | { readonly action: 'claim'; readonly revision: number; readonly why: string }
  /** Another node holds a live lease: check again later. */
  | { readonly action: 'wait'; readonly holder: LeaseHolder; readonly expiresInMs: number };

/** One step of the lease protocol for `me` at local time `now`. Pure. */
export function leaseStep(view: LeaseView, me: LeaseHolder, now: number, ttlMs: number): LeaseStep {
  const record = view.record;
  if (record === undefined) return { action: 'create' };
  const { holder, revision } = record;
  if (holder.node === me.node && holder.incarnation === me.incarnation) return { action: 'renew', revision };
  // Node ids are unique on a site: a record of this node from another run means that run is gone.
  if (holder.node === me.node) return { action: 'claim', revision, why: `the lease is held by an earlier run of this node (${holder.incarnation})` };
  const unchangedFor = now - view.seenSince;
  if (unchangedFor >= ttlMs) return { action: 'claim', revision, why: `node ${holder.node} has not renewed the lease for ${unchangedFor} ms (ttl ${ttlMs} ms)` };
  return { action: 'wait', holder, expiresInMs: ttlMs - unchangedFor };
}

/**
 * Whether the leader must step down: it could not renew for `ttlMs` (disconnected, paused), so
 * another node may already have claimed the lease and started the same actors.
 */
export function leaderMustStepDown(lastRenewedAt: number, now: number, ttlMs: number): boolean {
  return now - lastRenewedAt >= ttlMs;
}

/** Folds a freshly read record into the view: `seenSince` restarts only when the revision changed. */
export function observeLease(previous: LeaseView | undefined, record: LeaseView['record'], now: number): LeaseView {
  const same = previous?.record !== undefined && record !== undefined && previous.record.revision === record.revision;
  return { ...(record === undefined ? {} : { record }), seenSince: same ? previous.seenSince : now };
}
