import { describe, expect, it } from 'vitest';
import { headers } from '@nats-io/transport-node';
import { DEFAULT_MAILBOX_LIMITS, mailboxStreamConfig, sourceConsumerConfig } from '../../kernel/mailbox-infrastructure.ts';
import { StoredFloor, forwardStep, storeFailure } from '../../kernel/forward-order.ts';
import { forwardedHeaders } from '../../kernel/forwarded-headers.ts';
import { sourcedPositions } from '../../kernel/mailbox-sources.ts';
import { sourceOrigin } from '../../kernel/delivery-order.ts';
import { PublishAckError } from '../../kernel/stream-publisher.ts';
import { backoffDelayMs } from '../../protocols/index.ts';

describe('outbox forwarder', () => {
  it('forwardStep - a new message is forwarded, one at or below what was handed on is a duplicate', () => {
    expect(forwardStep({ highestIssued: 0 }, 7, 120)).toEqual({ type: 'forward' });
    expect(forwardStep({ lastDelivery: 7, highestIssued: 120 }, 8, 125)).toEqual({ type: 'forward' });
    expect(forwardStep({ lastDelivery: 8, highestIssued: 125 }, 9, 120)).toEqual({ type: 'duplicate' });
    expect(forwardStep({ lastDelivery: 9, highestIssued: 125 }, 10, 125)).toEqual({ type: 'duplicate' });
  });

  it('forwardStep - a delivery sequence that skips is a gap, whatever the stream sequence', () => {
    expect(forwardStep({ lastDelivery: 7, highestIssued: 120 }, 9, 130)).toEqual({ type: 'gap', expected: 8, got: 9 });
    expect(forwardStep({ lastDelivery: 7, highestIssued: 120 }, 7, 130)).toEqual({ type: 'gap', expected: 8, got: 7 });
  });

  it('StoredFloor - rises only over sequences whose every predecessor is stored', () => {
    const floor = new StoredFloor();
    for (const seq of [3, 5, 9, 12]) floor.issue(seq);
    floor.complete(5);
    floor.complete(9);
    expect(floor.value).toBe(0);
    floor.complete(3);
    expect(floor.value).toBe(9);
    floor.complete(12);
    expect(floor.value).toBe(12);
    expect(new StoredFloor(40).value).toBe(40);
  });

  it('storeFailure - a full mailbox, a timeout or a lost connection is retried; any other refusal of the stream is dead-lettered', () => {
    expect(storeFailure(new PublishAckError(10077, 'maximum messages per subject exceeded'))).toBe('retry');
    expect(storeFailure(Object.assign(new Error('no publish ack within 5000 ms'), { name: 'TimeoutError' }))).toBe('retry');
    expect(storeFailure(new Error('connection closed'))).toBe('retry');
    expect(storeFailure(new PublishAckError(10054, 'message size exceeds maximum allowed'))).toBe('dead-letter');
  });

  it('forwardedHeaders - keeps what the message was sent with and adds its origin, which the dispatcher reads back', () => {
    const sent = headers();
    sent.set('Nats-Msg-Id', 'tally:abc');
    sent.set('Nats-TTL', '30s');
    const h = forwardedHeaders(sent, 'CAIRN_OUT_edge1', 42, '2026-12-01T00:00:00Z');
    expect(h.get('Nats-Msg-Id')).toBe('tally:abc');
    expect(h.get('Nats-TTL')).toBe('30s');
    expect(sourceOrigin(h.get('Cairn-Origin'))).toEqual({ stream: 'CAIRN_OUT_edge1', seq: 42 });
    // An older Cairn's sourced messages still parse.
    expect(sourceOrigin('CAIRN_OUT_edge1:a1b2 17 > > cairn.out.edge1.cloud.x')).toEqual({ stream: 'CAIRN_OUT_edge1', seq: 17 });
  });

  it('forwardedHeaders - a message sent without an id is de-duplicated by its place in that very outbox', () => {
    const h = forwardedHeaders(undefined, 'CAIRN_OUT_edge1', 42, 'T1');
    expect(h.get('Nats-Msg-Id')).toBe('CAIRN_OUT_edge1@T1:42');
  });

  it('sourceConsumerConfig - a durable pull consumer with explicit acks, filtered to what the peer sends this site', () => {
    const c = sourceConsumerConfig('cloud', 'edge1');
    expect(c).toMatchObject({ durable_name: 'cairn-src-edge1', filter_subject: 'cairn.out.cloud.edge1.>', ack_policy: 'explicit', max_deliver: -1 });
    expect(c).not.toHaveProperty('deliver_subject');
  });

  it('mailboxStreamConfig - always lists no sources, so that an update takes off the ones an older Cairn configured', () => {
    expect(mailboxStreamConfig('s', DEFAULT_MAILBOX_LIMITS).sources).toEqual([]);
  });

  it('sourcedPositions - how far an older Cairn sourced each peer, from the mailbox stream report', () => {
    const sources = [
      { name: 'CAIRN_OUT_a', lag: 0, active: 1, seq: 50 },
      { name: 'CAIRN_OUT_c', lag: 0, active: 1, seq: 7 },
      { name: 'CAIRN_OUT_d', lag: 0, active: -1 },
    ];
    expect(sourcedPositions([{ site: 'a' }, { site: 'c' }, { site: 'd' }, { site: 'e' }], sources)).toEqual(
      new Map([
        ['a', 50],
        ['c', 7],
      ]),
    );
  });
});

describe('retry delay', () => {
  it('backoffDelayMs - none before the first failure, then doubling from the minimum up to the cap', () => {
    const b = { initialMs: 100, maxMs: 1_000 };
    expect([0, 1, 2, 3, 4, 5, 60, 10_000].map((n) => backoffDelayMs(n, b))).toEqual([0, 100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });
});
