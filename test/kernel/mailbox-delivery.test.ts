import { describe, expect, it } from 'vitest';
import type { JsMsg } from '@nats-io/jetstream';
import { ENVELOPE_VERSION, encodeEnvelope } from '../../protocols/index.ts';
import { directDelivery, mailboxDelivery } from '../../kernel/mailbox-delivery.ts';
import type { DecodedDelivery } from '../../kernel/mailbox-delivery.ts';
import { OrphanDeliveries } from '../../kernel/orphan-deliveries.ts';
import { OriginEpochs } from '../../kernel/source-epochs.ts';
import type { Delivery } from '../../kernel/delivery.ts';

const envelope = { v: ENVELOPE_VERSION, id: 'm1', type: 'inc', from: 'edge1/~n1', to: 'edge1/counter', ts: 1, body: { type: 'inc' } };
const headersOf = (h: Record<string, string>) => ({ get: (k: string) => h[k] ?? '' });
const msg = (subject: string, data: Uint8Array, headers?: Record<string, string>): JsMsg => ({ subject, data, headers: headers ? headersOf(headers) : undefined }) as unknown as JsMsg;

describe('reading a message into a delivery', () => {
  it('mailboxDelivery - the actor from the subject, the envelope, the origin of a forwarded message by epoch, and the ttl from its stored time', () => {
    const read = mailboxDelivery(msg('cairn.mbx.edge1.counter', encodeEnvelope(envelope), { 'Cairn-Origin': 'CAIRN_OUT_cloud 42', 'Nats-TTL': '5s' }), 7, 1_000_000_000_000, 'mbx-1', new OriginEpochs(), 123);
    expect(read).toMatchObject({ delivery: { seq: 7, mailbox: 'mbx-1', actor: 'counter', envelope: { id: 'm1', type: 'inc' }, origin: { stream: 'CAIRN_OUT_cloud', seq: 42 }, expiresAt: 1_000_000 + 5_000, receivedAt: 123 } });
    const plain = mailboxDelivery(msg('cairn.mbx.edge1.counter', encodeEnvelope(envelope)), 8, 0, 'mbx-1', new OriginEpochs(), 0);
    expect('delivery' in plain && plain.delivery.origin === undefined && plain.delivery.expiresAt === undefined).toBe(true);
  });

  it('mailboxDelivery - bytes that are no envelope are undecodable, naming the actor and a registered code', () => {
    const read = mailboxDelivery(msg('cairn.mbx.edge1.counter', new Uint8Array([1, 2, 3])), 9, 0, 'mbx-1', new OriginEpochs(), 0);
    expect(read).toMatchObject({ undecodable: { actor: 'counter', code: expect.stringMatching(/^CAIRN_/) } });
  });

  it('directDelivery - what decode makes, owned by its source and bounded by it; nothing for no actor; a decode that throws dead-letters it as stored, keyed by its stream', () => {
    const owner = { released: () => undefined, orphan: () => undefined };
    const decoded: DecodedDelivery = { actor: 'tally', envelope, origin: { stream: '$MQTT_msgs@9', seq: 3 }, copy: { data: new Uint8Array(), subject: 'cairn.mbx.edge1.tally', stream: '$MQTT_msgs@9' } };
    const data = new Uint8Array([7]);
    const m = { ...msg('$MQTT.msgs.meter.1', data), info: { stream: '$MQTT_msgs' } } as unknown as JsMsg;
    expect(directDelivery(m, 3, '9', () => decoded, owner, 5, '~unreadable')).toMatchObject({ delivery: { seq: 3, actor: 'tally', origin: decoded.origin, copy: decoded.copy, owner, boundedBySource: true, receivedAt: 5 } });
    expect(directDelivery(m, 3, '9', () => undefined, owner, 5, '~unreadable')).toEqual({ skip: true });
    expect(directDelivery(m, 3, '9', () => { throw new Error('bad'); }, owner, 5, '~unreadable')).toEqual({
      undecodable: { actor: '~unreadable', code: 'CAIRN_UNDECODABLE', reason: 'the direct source could not read $MQTT.msgs.meter.1 (sequence 3): bad', copy: { data, subject: '$MQTT.msgs.meter.1', stream: '$MQTT_msgs@9' } },
    });
  });
});

describe('orphan deliveries', () => {
  const orphan = (actor: string, seq: number, receivedAt: number, expiresAt?: number): Delivery => ({ actor, seq, receivedAt, ...(expiresAt === undefined ? {} : { expiresAt }) }) as unknown as Delivery;

  it('OrphanDeliveries - a sweep drops the expired, dead-letters those that waited the timeout (oldest first), keeps the rest alive; take hands an actor its own in order', () => {
    const o = new OrphanDeliveries();
    [orphan('a', 1, 0), orphan('a', 2, 50, 60), orphan('a', 3, 90), orphan('b', 4, 95)].forEach((d) => o.hold(d));
    const seen: string[] = [];
    o.sweep({ now: 100, timeoutMs: 100, expired: (d, a) => seen.push(`expired ${a}/${d.seq}`), timedOut: (d, a) => seen.push(`timed out ${a}/${d.seq}`), waiting: (d) => seen.push(`waiting ${d.seq}`) });
    expect(seen).toEqual(['expired a/2', 'timed out a/1', 'waiting 3', 'waiting 4']);
    expect(o.take('a').map((d) => d.seq)).toEqual([3]);
    expect(o.take('a')).toEqual([]);
    expect(o.takeAll().map((d) => d.seq)).toEqual([4]);
    expect(o.takeAll()).toEqual([]);
  });
});
