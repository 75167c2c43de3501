// A direct source whose consumer acks `all` (one ack covers every message before it) acks only
// below what is still unfinished: a message its decode skips, or one handled, does not ack an
// earlier one an actor still holds.
import { AckPolicy, RetentionPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineActor } from '../../kernel/index.ts';
import type { DecodedDelivery } from '../../kernel/index.ts';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import { readingDelivery } from '../helpers/direct-source.ts';
import { startTestServer } from '../helpers/nats.ts';
import type { TestServer } from '../helpers/nats.ts';

const SITE = 'ackall';
const handled: string[] = [];
let release: () => void = () => undefined;
const held = new Promise<void>((r) => (release = r));
/** Holds "slow" until released; the rest at once. */
const Slow = defineActor<{ type: 'reading'; value: string }>({
  name: 'slow',
  receive: async (msg) => {
    if (msg.value === 'slow') await held;
    handled.push(msg.value);
  },
});

/** `src.skip.*` is for no actor here (skipped); the rest goes to `slow`. */
function decode(m: JsMsg, incarnation: string): DecodedDelivery | undefined {
  return m.subject.startsWith('src.skip.') ? undefined : readingDelivery(SITE, 'slow', m, incarnation);
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.cleanup();
});

describe('a direct source acked all', () => {
  it('direct source - with ack policy all, neither a skipped message nor a later one acks past one its actor still handles; once it is done, one ack covers all', async () => {
    const system = await createActorSystem({ servers: server.url, site: SITE, node: 'n1' });
    try {
      const { nc } = system.node;
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      const info = await jsm.streams.add({ name: 'SRC', subjects: ['src.>'], retention: RetentionPolicy.Interest });
      await jsm.consumers.add('SRC', { durable_name: 'direct', ack_policy: AckPolicy.All, ack_wait: 30_000_000_000 });
      await system.spawn(Slow, { id: 'slow' });
      const source = await system.node.deliverFrom({ name: 'src', consumer: async () => ({ consumer: await js.consumers.get('SRC', 'direct'), incarnation: info.created }), decode, ackWaitMs: 30_000 });
      const ackFloor = async (): Promise<number> => (await jsm.consumers.info('SRC', 'direct')).ack_floor.stream_seq;
      try {
        await js.publish('src.meter', 'first');
        await expect.poll(() => handled.join(','), { timeout: 10_000 }).toBe('first');
        await expect.poll(ackFloor, { timeout: 10_000 }).toBe(1);
        await js.publish('src.meter', 'slow');
        await js.publish('src.skip.x', 'skipped');
        await expect.poll(async () => (await jsm.consumers.info('SRC', 'direct')).num_ack_pending, { timeout: 10_000 }).toBe(2);
        // The skipped one (3) is done; acking it would cover 2, which the actor still handles.
        await new Promise((r) => setTimeout(r, 100));
        expect(await ackFloor()).toBe(1);
        expect((await jsm.streams.info('SRC')).state.messages).toBe(2);
        release();
        await expect.poll(() => handled.join(','), { timeout: 10_000 }).toBe('first,slow');
        await expect.poll(ackFloor, { timeout: 10_000 }).toBe(3);
        await expect.poll(async () => (await jsm.streams.info('SRC')).state.messages, { timeout: 10_000 }).toBe(0);
      } finally {
        await source.stop();
      }
    } finally {
      await system.shutdown();
    }
  }, 60_000);
});
