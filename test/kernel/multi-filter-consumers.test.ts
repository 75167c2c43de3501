// What a per-node mailbox consumer would rest on, checked on the server Cairn runs on: the facts
// behind README's "every message of a site passes through its leader" (bench/RESULTS.md,
// "Consumers with several filter subjects", measures the cost side). If a server release changes
// one of these, this file says so and the limit can be revisited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_MAILBOX_LIMITS, mailboxConsumerConfig, mailboxStreamConfig } from '../../kernel/index.ts';
import { Streams, Subjects } from '../../protocols/index.ts';
import { startTestServer } from '../helpers/nats.ts';
import type { TestServer } from '../helpers/nats.ts';

let server: TestServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let js: JetStreamClient;
beforeAll(async () => {
  server = await startTestServer();
  nc = await connect({ servers: server.url });
  jsm = await jetstreamManager(nc);
  js = jetstream(nc);
});
afterAll(async () => {
  await nc?.close();
  await server?.cleanup();
});

async function mailbox(site: string): Promise<string> {
  await jsm.streams.add(mailboxStreamConfig(site, DEFAULT_MAILBOX_LIMITS));
  return Streams.mailbox(site);
}

async function take(stream: string, consumer: string, max: number): Promise<string[]> {
  const c = await js.consumers.get(stream, consumer);
  const out: string[] = [];
  for (let i = 0; i < max; i++) {
    const m = await c.next({ expires: 1_000 });
    if (!m) break;
    out.push(`${m.subject}=${m.string()}`);
    m.ack();
  }
  return out;
}

describe('consumers with several filter subjects (nats-server facts)', () => {
  it('filter_subjects - a consumer listing several actors\u2019 mailboxes gets their messages only, in stream order', async () => {
    const stream = await mailbox('mf-order');
    const [a, b, c] = ['a', 'b', 'c'].map((id) => Subjects.mailbox('mf-order', id));
    await jsm.consumers.add(stream, { durable_name: 'node-2', ack_policy: AckPolicy.Explicit, filter_subjects: [a!, c!] });
    for (const [subject, body] of [[a, '1'], [b, '2'], [c, '3'], [a, '4']] as const) await js.publish(subject!, body);
    expect(await take(stream, 'node-2', 4)).toEqual([`${a}=1`, `${c}=3`, `${a}=4`]);
  });

  it('filter_subjects - a WorkQueue mailbox refuses a node consumer beside the site\u2019s catch-all consumer (10100)', async () => {
    const stream = await mailbox('mf-overlap');
    await jsm.consumers.add(stream, mailboxConsumerConfig('mf-overlap', DEFAULT_MAILBOX_LIMITS));
    const err = await jsm.consumers
      .add(stream, { durable_name: 'node-2', ack_policy: AckPolicy.Explicit, filter_subjects: [Subjects.mailbox('mf-overlap', 'a')] })
      .catch((e: unknown) => e);
    expect((err as { code?: number }).code).toBe(10100);
    expect((err as Error).message).toMatch(/filtered consumer not unique on workqueue stream/);
  });

  it('filter_subjects - a subject added to a consumer\u2019s filters does not bring what the stream stored for it before', async () => {
    const stream = await mailbox('mf-late');
    const [a, b] = ['a', 'b'].map((id) => Subjects.mailbox('mf-late', id));
    await jsm.consumers.add(stream, { durable_name: 'node-2', ack_policy: AckPolicy.Explicit, filter_subjects: [a!] });
    await js.publish(b!, 'stored-before');
    await js.publish(a!, 'a1');
    expect(await take(stream, 'node-2', 1)).toEqual([`${a}=a1`]);
    // Actor b moves to this node: its mailbox is added to the node's consumer.
    await jsm.consumers.update(stream, 'node-2', { filter_subjects: [a!, b!] });
    await js.publish(b!, 'stored-after');
    expect(await take(stream, 'node-2', 2)).toEqual([`${b}=stored-after`]);
    // The earlier message is still in the stream, out of this consumer's reach.
    expect((await jsm.streams.info(stream)).state.messages).toBe(1);
  });
});
