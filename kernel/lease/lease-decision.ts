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

/** What a leader does when a renewal failed, given the record as read right after (undefined: unreadable). */
export type RenewalFailure =
  /** Another node holds it, or someone created it anew: stop leading. */
  | { readonly action: 'lost'; readonly why: string; readonly holder?: string }
  /** The record is gone (deleted by hand, a store rebuilt): create it again; losing that race is a loss. */
  | { readonly action: 'recreate' }
  /** Still ours at another revision (the answer to our last renewal was lost): carry on from it. */
  | { readonly action: 'adopt'; readonly revision: number }
  /** Still ours at our revision, or unreadable (server unreachable): try again next round. */
  | { readonly action: 'retry' };

/**
 * Decides after a failed renewal. A leader steps down only on evidence that another node may lead:
 * an unreachable server is no such evidence (the lease lives on that server, so nobody else can
 * claim it either), and a node whose server restarts must keep leading. Pure.
 */
export function afterFailedRenewal(read: { readonly record: LeaseView['record'] } | undefined, me: LeaseHolder, revision: number): RenewalFailure {
  if (read === undefined) return { action: 'retry' };
  const record = read.record;
  if (record === undefined) return { action: 'recreate' };
  const { holder } = record;
  if (holder.node !== me.node || holder.incarnation !== me.incarnation) return { action: 'lost', why: `node ${holder.node} holds the site lease now`, holder: holder.node };
  return record.revision === revision ? { action: 'retry' } : { action: 'adopt', revision: record.revision };
}

/** Folds a freshly read record into the view: `seenSince` restarts only when the revision changed. */
export function observeLease(previous: LeaseView | undefined, record: LeaseView['record'], now: number): LeaseView {
  const same = previous?.record !== undefined && record !== undefined && previous.record.revision === record.revision;
  return { ...(record === undefined ? {} : { record }), seenSince: same ? previous.seenSince : now };
}
