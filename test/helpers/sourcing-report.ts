import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Consumers, Streams } from '../../protocols/index.ts';

/** One site of a test: its connection, name, and the peers (with their domains) it receives from. */
export interface SourcingSite {
  readonly nc: NatsConnection;
  readonly site: string;
  readonly peers: readonly { readonly site: string; readonly domain?: string }[];
}

/**
 * What a site's mailbox and its forwarders' consumers say, for a test that waits for messages to
 * cross: the mailbox stream's state (and any source an older Cairn left), and each peer's consumer
 * as the peer sees it. Printed when a wait fails, so that a stuck forwarder shows where it stuck.
 */
export async function sourcingReport(s: SourcingSite): Promise<string> {
  const lines: string[] = [];
  try {
    const jsm = await jetstreamManager(s.nc, { timeout: 3_000 });
    const info = await jsm.streams.info(Streams.mailbox(s.site));
    lines.push(`${s.site} mailbox: ${JSON.stringify(info.state, ['messages', 'first_seq', 'last_seq', 'num_deleted'])}`);
    for (const src of info.sources ?? []) lines.push(`  source ${src.name}: ${JSON.stringify({ lag: src.lag, active: src.active, seq: (src as { seq?: number }).seq, error: src.error })}`);
  } catch (err) {
    lines.push(`${s.site} mailbox: ${(err as Error).message}`);
  }
  for (const peer of s.peers) {
    try {
      const jsm = await jetstreamManager(s.nc, { timeout: 3_000, ...(peer.domain ? { domain: peer.domain } : {}) });
      const c = await jsm.consumers.info(Streams.outbox(peer.site), Consumers.source(s.site));
      lines.push(`  consumer on ${peer.site}: ${JSON.stringify({ delivered: c.delivered, ack_floor: c.ack_floor, num_ack_pending: c.num_ack_pending, num_redelivered: c.num_redelivered, num_pending: c.num_pending, push_bound: c.push_bound })}`);
    } catch (err) {
      lines.push(`  consumer on ${peer.site}: ${(err as Error).message}`);
    }
  }
  return lines.join('\n');
}
