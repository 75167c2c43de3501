import { describe, expect, it } from 'vitest';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import { DEFAULT_MAILBOX_LIMITS, mailboxStreamConfig } from '../../kernel/index.ts';
import { Consumers, Streams, Subjects } from '../../protocols/index.ts';
import { serverForFile } from '../helpers/server-for-file.ts';
import type { TestServer } from '../helpers/nats.ts';
import { Counter } from '../helpers/actors.ts';
import type { CounterMsg } from '../helpers/actors.ts';

let server: TestServer;
let nc: NatsConnection;
serverForFile((s, c) => {
  server = s;
  nc = c;
});

/**
 * A receiving site as an earlier Cairn left it (`oldMailbox` makes its mailbox and what it sourced
 * through), 50 messages from the peer sourced and handled, the server restarted by the upgrade (the
 * mailbox's duplicate window forgets the handled ids); then the new Cairn starts on it and the peer
 * sends 10 more: exactly those 10 arrive, and the mailbox no longer sources anything.
 */
async function upgrade(site: string, peerSite: string, oldMailbox: (jsm: JetStreamManager) => Promise<void>): Promise<void> {
  const jsm = await jetstreamManager(nc);
  // The peer site (same JetStream, no domain) and what it sent before the upgrade.
  const peer = await createActorSystem({ servers: server.url, site: peerSite, node: 'p1' });
  try {
    await oldMailbox(jsm);
    for (let i = 0; i < 50; i++) await peer.node.ref<CounterMsg>('c', site).tell({ type: 'inc', by: 1 });
    await expect.poll(async () => (await jsm.streams.info(Streams.mailbox(site))).state.messages, { timeout: 10_000 }).toBe(50);
    await jsm.consumers.add(Streams.mailbox(site), { durable_name: 'old-node', ack_policy: AckPolicy.Explicit });
    const old = await jetstream(nc).consumers.get(Streams.mailbox(site), 'old-node');
    for (let i = 0; i < 50; i++) (await old.next({ expires: 2_000 }))!.ack();
    await expect.poll(async () => (await jsm.streams.info(Streams.mailbox(site))).state.messages, { timeout: 10_000 }).toBe(0);
    await jsm.consumers.delete(Streams.mailbox(site), 'old-node');
    await server.restart();
    await expect.poll(() => jsm.streams.info(Streams.mailbox(site)).then(() => true, () => false), { timeout: 20_000 }).toBe(true);

    const sys = await createActorSystem({ servers: server.url, site, node: 's1', peers: [{ site: peerSite }] });
    try {
      const c = await sys.spawn(Counter, { id: 'c' });
      for (let i = 0; i < 10; i++) await peer.node.ref<CounterMsg>('c', site).tell({ type: 'inc', by: 1 });
      await expect.poll(() => c.ask({ type: 'get' }), { timeout: 20_000 }).toBe(10);
      expect((await jsm.streams.info(Streams.mailbox(site))).config.sources ?? []).toEqual([]);
      const consumer = await jsm.consumers.info(Streams.outbox(peerSite), Consumers.source(site));
      expect(consumer.config.deliver_subject).toBeUndefined();
      expect(consumer.ack_floor.stream_seq).toBe(60);
      // Nothing more comes (the 50 handled before the upgrade are not received again).
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await c.ask({ type: 'get' })).toBe(10);
    } finally {
      await sys.shutdown();
    }
  } finally {
    await peer.shutdown();
  }
}

describe('source upgrade', () => {
  it('source upgrade - a mailbox an older Cairn sourced with a plain source is forwarded by the new Cairn without receiving again what it already copied', async () => {
    await upgrade('up-site', 'up-peer', async (jsm) => {
      await jsm.streams.add({ ...mailboxStreamConfig('up-site', DEFAULT_MAILBOX_LIMITS), sources: [{ name: Streams.outbox('up-peer'), filter_subject: Subjects.outboxTo('up-peer', 'up-site') }] });
    });
  });

  it('source upgrade - a mailbox the previous Cairn sourced through a durable flow-control source is forwarded from where that source got, nothing received again', async () => {
    await upgrade('up2-site', 'up2-peer', async (jsm) => {
      // nats-server's durable source through a push consumer on the peer's outbox, as Cairn set it up before.
      const name = Consumers.source('up2-site');
      const deliver = 'cairn.src.up2-peer.up2-site';
      const filter = Subjects.outboxTo('up2-peer', 'up2-site');
      await jsm.consumers.add(Streams.outbox('up2-peer'), { durable_name: name, deliver_subject: deliver, filter_subject: filter, ack_policy: AckPolicy.FlowControl, flow_control: true, idle_heartbeat: nanos(1_000), max_ack_pending: 10_000 });
      await jsm.streams.add({ ...mailboxStreamConfig('up2-site', DEFAULT_MAILBOX_LIMITS), sources: [{ name: Streams.outbox('up2-peer'), consumer: { name, deliver_subject: deliver } }] });
    });
  });
});
