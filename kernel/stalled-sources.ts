import type { StreamSourceInfo } from '@nats-io/jetstream';
import { Streams } from '../protocols/index.ts';
import type { PeerSite } from './mailbox-infrastructure.ts';

/** What the mailbox stream reports of one source (nats-server's StreamSourceInfo, with `seq`). */
export type SourceReport = Pick<StreamSourceInfo, 'name' | 'active'> & { readonly seq?: number; readonly lag?: number };

/** A peer whose source has been silent too long, with how far the mailbox got in its outbox. */
export interface StalledSource {
  readonly peer: PeerSite;
  /** Milliseconds since the source last delivered anything (messages or heartbeats); -1: never. */
  readonly silentMs: number;
  /** Set when the source still hears heartbeats but copied nothing for this long while it lags. */
  readonly stuckMs?: number;
  /** The last outbox sequence the mailbox stored (0: none known). */
  readonly sourcedUpTo: number;
}

/**
 * The sourced peers whose source is silent for `thresholdMs` or more. A healthy durable source
 * hears its consumer's heartbeat every second even when there is nothing to copy, so silence means
 * the source is not connected: the link is down, or the server is waiting out a retry backoff.
 * `silentSinceMs` says, per peer, since when a source that never delivered has existed.
 */
export function stalledSources(peers: readonly PeerSite[], reports: readonly SourceReport[], thresholdMs: number, now: number, silentSinceMs: ReadonlyMap<string, number>): StalledSource[] {
  const out: StalledSource[] = [];
  for (const peer of peers) {
    const report = reports.find((r) => r.name === Streams.outbox(peer.site));
    if (!report) continue;
    // nats-server reports `active` in nanoseconds since the last activity, -1 when there was none.
    const silentMs = report.active < 0 ? now - (silentSinceMs.get(peer.site) ?? now) : report.active / 1e6;
    if (silentMs >= thresholdMs) out.push({ peer, silentMs: report.active < 0 ? -1 : silentMs, sourcedUpTo: report.seq ?? 0 });
  }
  return out;
}

/** Per peer, the last position seen of a lagging source and since when it has not moved. */
export type SourceProgress = ReadonlyMap<string, { readonly seq: number; readonly since: number }>;

/**
 * The sourced peers whose source lags (`lag` > 0: the peer holds messages it has not copied) and
 * whose position has not moved for `thresholdMs`, though heartbeats arrive: a flow-controlled
 * source waiting for something that will not come. With the progress to pass next time (a source
 * that moved, or stopped lagging, starts over).
 */
export function stuckSources(peers: readonly PeerSite[], reports: readonly SourceReport[], thresholdMs: number, now: number, before: SourceProgress): { readonly stuck: StalledSource[]; readonly progress: SourceProgress } {
  const stuck: StalledSource[] = [];
  const progress = new Map<string, { seq: number; since: number }>();
  for (const peer of peers) {
    const report = reports.find((r) => r.name === Streams.outbox(peer.site));
    if (!report || !(report.lag !== undefined && report.lag > 0)) continue;
    const seq = report.seq ?? 0;
    const seen = before.get(peer.site);
    const since = seen && seen.seq === seq ? seen.since : now;
    progress.set(peer.site, { seq, since });
    const silentMs = report.active < 0 ? -1 : report.active / 1e6;
    if (now - since >= thresholdMs) stuck.push({ peer, silentMs, stuckMs: now - since, sourcedUpTo: seq });
  }
  return { stuck, progress };
}

/** A source that acknowledged messages this node never received: `fromSeq`..`toSeq` of the peer's outbox were skipped. */
export interface SkippedSource {
  readonly peer: PeerSite;
  /** The first outbox sequence after the highest this node received. */
  readonly fromSeq: number;
  /** The consumer's ack floor on the peer. */
  readonly toSeq: number;
}

/** What the peer says of the consumer this site sources through. */
export interface SourceConsumerView {
  /** The outbox sequence everything up to which is acknowledged. */
  readonly ackFloor: number;
  /** Messages for this site not delivered yet, and delivered but not acknowledged. */
  readonly pending: number;
}

/** What a skip check saw of one peer last time: a suspect is confirmed when seen twice unchanged. */
export type SkipSuspects = ReadonlyMap<string, { readonly ackFloor: number; readonly highest: number }>;

/**
 * Whether a peer's source consumer was acknowledged past messages this node never received: its
 * ack floor is above the highest outbox sequence the node received from that peer, nothing is
 * pending on the consumer or in the mailbox (`mailboxPending`), so the messages in between were
 * acknowledged to the peer without reaching the mailbox (nats-server's durable source can skip what
 * its consumer sent right after a reset). Confirmed only when the same picture is seen twice in a
 * row; `highest` undefined (nothing received yet) decides nothing. Pure.
 */
export function skipCheck(peer: PeerSite, consumer: SourceConsumerView, highest: number | undefined, mailboxPending: number, before: SkipSuspects): { readonly skipped?: SkippedSource; readonly suspect?: { readonly ackFloor: number; readonly highest: number } } {
  if (highest === undefined || mailboxPending > 0 || consumer.pending > 0 || consumer.ackFloor <= highest) return {};
  const seen = before.get(peer.site);
  if (seen && seen.ackFloor === consumer.ackFloor && seen.highest === highest) return { skipped: { peer, fromSeq: highest + 1, toSeq: consumer.ackFloor } };
  return { suspect: { ackFloor: consumer.ackFloor, highest } };
}
