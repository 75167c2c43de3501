// A direct source's message that its decode cannot read is a poison message: dead-lettered with its
// reason and a code, as stored in its own stream (a replay stores it there again), and never held
// unacked to come back after every ack wait. The messages around it are handled.
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterAdmin, defineActor } from '../../kernel/index.ts';
import type { DecodedDelivery } from '../../kernel/index.ts';
import { KernelCodes } from '../../protocols/index.ts';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import { readingDelivery } from '../helpers/direct-source.ts';
import { startTestServer } from '../helpers/nats.ts';
import type { TestServer } from '../helpers/nats.ts';

const SITE = 'poison';
const handled: string[] = [];
const Tally = defineActor<{ type: 'reading'; value: string }>({
  name: 'tally',
  receive: (msg) => void handled.push(msg.value),
});

/** Reads `src.<anything>` messages whose data is a reading; throws on "poison" (a decoding bug). */
function decode(m: JsMsg, incarnation: string): DecodedDelivery {
  if (new TextDecoder().decode(m.data) === 'poison') throw new Error('not a reading');
  return readingDelivery(SITE, 'tally', m, incarnation);
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.cleanup();
});

describe('a direct source and a message it cannot read', () => {
  it('direct source - a message decode throws on is dead-lettered at once with its reason, keyed by its stream; the rest is handled; a replay stores it in its stream again', async () => {
    const system = await createActorSystem({ servers: server.url, site: SITE, node: 'n1' });
    try {
      const { nc } = system.node;
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      const info = await jsm.streams.add({ name: 'SRC', subjects: ['src.>'] });
      await jsm.consumers.add('SRC', { durable_name: 'direct', ack_policy: AckPolicy.Explicit, ack_wait: 30_000_000_000 });
      await system.spawn(Tally, { id: 'tally' });
      const source = await system.node.deliverFrom({ name: 'src', consumer: async () => ({ consumer: await js.consumers.get('SRC', 'direct'), incarnation: info.created }), decode, ackWaitMs: 30_000 });
      try {
        for (const value of ['1', 'poison', '2']) await js.publish('src.meter', value);
        await expect.poll(() => handled.join(','), { timeout: 10_000 }).toBe('1,2');

        // Dead-lettered at once (well before the 30 s ack wait), as it is in SRC.
        const admin = new DeadLetterAdmin(js, jsm, SITE);
        await expect.poll(async () => (await admin.list()).length, { timeout: 10_000 }).toBe(1);
        const [dead] = await admin.list();
        expect(dead).toMatchObject({ actor: '~unreadable', code: KernelCodes.UNDECODABLE, subject: 'src.meter', reason: 'the direct source could not read src.meter (sequence 2): not a reading' });
        expect(new TextDecoder().decode((await jsm.streams.getMessage('SRC', { seq: 2 }).catch(() => undefined))?.data ?? new Uint8Array())).toBe('poison');
        await expect.poll(async () => (await jsm.consumers.info('SRC', 'direct')).num_ack_pending, { timeout: 10_000 }).toBe(0);

        // Replayed, it is stored in SRC again (where a fixed decode would read it), and read again here.
        expect(await admin.replay(dead!.seq)).toBe(true);
        expect((await jsm.streams.info('SRC')).state.last_seq).toBe(4);
        await expect.poll(async () => (await admin.list()).map((d) => d.reason), { timeout: 10_000 }).toEqual(['the direct source could not read src.meter (sequence 4): not a reading']);
        expect(handled).toEqual(['1', '2']);
      } finally {
        await source.stop();
      }
    } finally {
      await system.shutdown();
    }
  }, 60_000);
});
