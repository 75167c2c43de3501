import { describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, AckPolicy } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { DEFAULT_MAILBOX_LIMITS, mailboxStreamConfig, outboxStreamConfig, systemClock } from '../../kernel/index.ts';
import { DeadLetters } from '../../kernel/dead-letters.ts';
import { ForwardWriter } from '../../kernel/forward-writer.ts';
import { StreamPublisher } from '../../kernel/stream-publisher.ts';
import { Streams, Subjects } from '../../protocols/index.ts';
import { serverForFile } from '../helpers/server-for-file.ts';

let nc: NatsConnection;
serverForFile((_s, c) => {
  nc = c;
});

/**
 * A peer's outbox holding `n` messages for actor `a` of `site` (ids `m-0`..), and the JsMsgs a
 * consumer of it delivers, as a forwarder would receive them.
 */
async function outboxMessages(site: string, peer: string, n: number): Promise<JsMsg[]> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add(outboxStreamConfig(peer, DEFAULT_MAILBOX_LIMITS));
  const js = jetstream(nc);
  for (let i = 0; i < n; i++) {
    const h = headers();
    h.set('Nats-Msg-Id', `m-${i}`);
    await js.publish(Subjects.outbox(peer, site, 'a'), new TextEncoder().encode(String(i)), { headers: h });
  }
  await jsm.consumers.add(Streams.outbox(peer), { durable_name: 'w', ack_policy: AckPolicy.Explicit });
  const out: JsMsg[] = [];
  for await (const m of await (await js.consumers.get(Streams.outbox(peer), 'w')).fetch({ max_messages: n, expires: 2_000 })) {
    out.push(m);
    if (out.length === n) break;
  }
  return out;
}

function writerFor(site: string, peer: string): ForwardWriter {
  const publisher = new StreamPublisher(nc);
  const deadLetters = new DeadLetters(jetstream(nc), site, () => Date.now());
  return new ForwardWriter({ site, peer: { site: peer }, publisher, deadLetters, outboxCreated: () => 'T', clock: systemClock, log: pino({ level: 'silent' }) });
}

/** What the mailbox holds for actor `a`, in stream order. */
async function mailboxOf(site: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(Streams.mailbox(site));
  const out: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(Streams.mailbox(site), { seq }).catch(() => undefined);
    if (m) out.push(new TextDecoder().decode(m.data));
  }
  return out;
}

describe('forward writer', () => {
  it("forward writer - one actor's messages written at once are stored in outbox order as atomic batches, each with its origin", async () => {
    const msgs = await outboxMessages('fw1', 'fw1p', 300);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add(mailboxStreamConfig('fw1', DEFAULT_MAILBOX_LIMITS));
    const writer = writerFor('fw1', 'fw1p');
    const signal = new AbortController().signal;
    expect(await Promise.all(msgs.map((m) => writer.write(m, 'a', signal)))).toEqual(msgs.map(() => true));
    expect(await mailboxOf('fw1')).toEqual(msgs.map((_, i) => String(i)));
    const last = await jsm.streams.getMessage(Streams.mailbox('fw1'), { last_by_subj: Subjects.mailbox('fw1', 'a') });
    expect(last?.header.get('Cairn-Origin')).toBe(`${Streams.outbox('fw1p')} 300`);
    // They went as atomic batches: the first alone (nothing queued yet), then 256, then the last 43.
    expect(last?.header.get('Nats-Batch-Id')).not.toBe('');
    expect(last?.header.get('Nats-Batch-Sequence')).toBe('43');
  });

  it('forward writer - a mailbox with no room for a whole batch takes it one message at a time as the actor frees room, in order', async () => {
    const msgs = await outboxMessages('fw2', 'fw2p', 40);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add(mailboxStreamConfig('fw2', { ...DEFAULT_MAILBOX_LIMITS, capacity: 5 }));
    const writer = writerFor('fw2', 'fw2p');
    const signal = new AbortController().signal;
    const all = Promise.all(msgs.map((m) => writer.write(m, 'a', signal)));
    // The actor: takes (and removes) its messages one by one, slower than they come.
    await jsm.consumers.add(Streams.mailbox('fw2'), { durable_name: 'actor', ack_policy: AckPolicy.Explicit });
    const actor = await jetstream(nc).consumers.get(Streams.mailbox('fw2'), 'actor');
    const handled: string[] = [];
    while (handled.length < 40) {
      const m = await actor.next({ expires: 5_000 });
      if (!m) break;
      handled.push(new TextDecoder().decode(m.data));
      await m.ackAck();
    }
    expect(await all).toEqual(msgs.map(() => true));
    expect(handled).toEqual(msgs.map((_, i) => String(i)));
  });

  it('forward writer - a batch holding messages the mailbox already stored stores only the others, once', async () => {
    const msgs = await outboxMessages('fw3', 'fw3p', 20);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add(mailboxStreamConfig('fw3', DEFAULT_MAILBOX_LIMITS));
    const signal = new AbortController().signal;
    // An earlier forwarder stored the first 8, then stopped before acking them.
    const first = writerFor('fw3', 'fw3p');
    await Promise.all(msgs.slice(0, 8).map((m) => first.write(m, 'a', signal)));
    const again = writerFor('fw3', 'fw3p');
    expect(await Promise.all(msgs.map((m) => again.write(m, 'a', signal)))).toEqual(msgs.map(() => true));
    expect(await mailboxOf('fw3')).toEqual(msgs.map((_, i) => String(i)));
  });
});
