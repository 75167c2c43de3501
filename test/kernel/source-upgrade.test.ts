import { describe, expect, it } from 'vitest';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import { DEFAULT_MAILBOX_LIMITS, mailboxStreamConfig } from '../../kernel/index.ts';
import { plainSourcePositions } from '../../kernel/peer-sources.ts';
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

describe('source upgrade', () => {
  it('plainSourcePositions - the copied position of each peer that has no durable source yet', () => {
    const site = 'b';
    const sources = [
      { name: 'CAIRN_OUT_a', lag: 0, active: 1, seq: 50 },
      { name: 'CAIRN_OUT_c', lag: 0, active: 1, seq: 7 },
      { name: 'CAIRN_OUT_d', lag: 0, active: -1 },
    ];
    const configured = [{ name: 'CAIRN_OUT_a' }, { name: 'CAIRN_OUT_c', consumer: { name: Consumers.source(site), deliver_subject: 'x' } }, { name: 'CAIRN_OUT_d' }];
    expect(plainSourcePositions([{ site: 'a' }, { site: 'c' }, { site: 'd' }], sources, configured, site)).toEqual(new Map([['a', 50]]));
  });

  it('source upgrade - a mailbox an older Cairn sourced with a plain source switches to the durable one without sourcing again what it already copied', async () => {
    const jsm = await jetstreamManager(nc);
    // The peer site (same JetStream, no domain) and what it sent before the upgrade.
    const peer = await createActorSystem({ servers: server.url, site: 'up-peer', node: 'p1' });
    try {
      // The receiving site as an older Cairn left it: a plain source, everything copied and handled.
      await jsm.streams.add({ ...mailboxStreamConfig('up-site', DEFAULT_MAILBOX_LIMITS), sources: [{ name: Streams.outbox('up-peer'), filter_subject: Subjects.outboxTo('up-peer', 'up-site') }] });
      for (let i = 0; i < 50; i++) await peer.node.ref<CounterMsg>('c', 'up-site').tell({ type: 'inc', by: 1 });
      await expect.poll(async () => (await jsm.streams.info(Streams.mailbox('up-site'))).state.messages, { timeout: 10_000 }).toBe(50);
      await jsm.consumers.add(Streams.mailbox('up-site'), { durable_name: 'old-node', ack_policy: AckPolicy.Explicit });
      const old = await jetstream(nc).consumers.get(Streams.mailbox('up-site'), 'old-node');
      for (let i = 0; i < 50; i++) (await old.next({ expires: 2_000 }))!.ack();
      await expect.poll(async () => (await jsm.streams.info(Streams.mailbox('up-site'))).state.messages, { timeout: 10_000 }).toBe(0);
      await jsm.consumers.delete(Streams.mailbox('up-site'), 'old-node');
      // An upgrade restarts the server: the mailbox's duplicate window forgets the handled ids.
      await server.restart();
      const sources = async () => (await jsm.streams.info(Streams.mailbox('up-site'))).sources;
      await expect.poll(() => sources().catch(() => undefined), { timeout: 20_000 }).toBeDefined();

      // The new Cairn starts on it; the peer sends 10 more.
      const site = await createActorSystem({ servers: server.url, site: 'up-site', node: 's1', peers: [{ site: 'up-peer' }] });
      try {
        const c = await site.spawn(Counter, { id: 'c' });
        for (let i = 0; i < 10; i++) await peer.node.ref<CounterMsg>('c', 'up-site').tell({ type: 'inc', by: 1 });
        await expect.poll(() => c.ask({ type: 'get' }), { timeout: 20_000 }).toBe(10);
        const source = (await jsm.streams.info(Streams.mailbox('up-site'))).config.sources?.[0];
        expect(source?.consumer?.name).toBe(Consumers.source('up-site'));
        // Nothing more comes (the 50 handled before the upgrade are not sourced again).
        await new Promise((r) => setTimeout(r, 1_000));
        expect(await c.ask({ type: 'get' })).toBe(10);
      } finally {
        await site.shutdown();
      }
    } finally {
      await peer.shutdown();
    }
  });
});
