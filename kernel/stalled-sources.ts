import type { StreamSourceInfo } from '@nats-io/jetstream';
import { Streams } from '../protocols/index.ts';
import type { PeerSite } from './mailbox-infrastructure.ts';

/** What the mailbox stream reports of one source (nats-server's StreamSourceInfo, with `seq`). */
export type SourceReport = Pick<StreamSourceInfo, 'name' | 'active'> & { readonly seq?: number };

/** A peer whose source has been silent too long, with how far the mailbox got in its outbox. */
export interface StalledSource {
  readonly peer: PeerSite;
  /** Milliseconds since the source last delivered anything (messages or heartbeats); -1: never. */
  readonly silentMs: number;
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
