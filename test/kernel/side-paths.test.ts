// A message's side paths failing (its dead-letter copy refused, or too large to copy) never loops a
// node: it backs off, says so with a coded event, and serves its other actors (issue 10, item 4).
import { DiscardPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterAdmin, defineActor } from '../../kernel/index.ts';
import { Buckets, CairnError, KernelCodes, KvLayout, Streams, Subjects, isCairnError } from '../../protocols/index.ts';
import type { ActorEvent } from '../../protocols/index.ts';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { eventLog, Counter, PersistentCounter } from '../helpers/actors.ts';
import { Kvm } from '@nats-io/kv';
import { startTestServer } from '../helpers/nats.ts';
import type { TestServer } from '../helpers/nats.ts';

const MAX_PAYLOAD = 65_536;
let runs = 0;
const Refuser = defineActor<{ type: 'job'; pad?: string }>({
  name: 'refuser',
  onError: 'resume',
  retry: { maxAttempts: 2, initialBackoffMs: 5, maxBackoffMs: 5 },
  receive: () => {
    runs++;
    throw new Error('refused');
  },
});

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ extra: { max_payload: MAX_PAYLOAD } });
});
afterAll(async () => {
  await server?.cleanup();
});

async function system(site: string): Promise<ActorSystem> {
  return createActorSystem({ servers: server.url, site, node: 'n1' });
}

describe('failing side paths', () => {
  it('side paths - a dead-letter stream that refuses writes: the copy is retried with backoff and coded events, the handler is not rerun, other actors answer', async () => {
    runs = 0;
    const sys = await system('side-full');
    try {
      const jsm = await jetstreamManager(sys.node.nc);
      // A dead-letter stream that takes one message, already holding it: every copy is refused.
      await jsm.streams.update(Streams.deadLetters('side-full'), { max_msgs: 1, discard: DiscardPolicy.New });
      await jetstream(sys.node.nc).publish(Subjects.deadLetter('side-full', 'filler'), new Uint8Array([1]));
      const events = eventLog((l) => sys.onEvent(l));
      const refuser = await sys.spawn(Refuser, { id: 'refuser' });
      const counter = await sys.spawn(Counter, { id: 'c' });
      await refuser.tell({ type: 'job' });
      const first = (await events.next((e) => e.type === 'retrying')) as Extract<ActorEvent, { type: 'retrying' }>;
      expect(first).toMatchObject({ actor: 'refuser', code: KernelCodes.DEAD_LETTER_FAILED });
      await events.next((e) => e.type === 'retrying' && e.retryInMs > first.retryInMs);
      // The node carries on: another actor answers while the copy waits.
      await counter.tell({ type: 'inc', by: 2 });
      expect(await counter.ask({ type: 'get' })).toBe(2);
      expect(runs).toBe(2); // its two attempts, never rerun for the copy's sake
      // Room again: the copy is stored, the message acked, the handler still not rerun.
      await jsm.streams.purge(Streams.deadLetters('side-full'));
      await events.next((e) => e.type === 'dead-lettered' && e.actor === 'refuser', 10_000);
      expect(runs).toBe(2);
      expect((await new DeadLetterAdmin(jetstream(sys.node.nc), jsm, 'side-full').list()).map((d) => d.actor)).toEqual(['refuser']);
    } finally {
      await sys.shutdown();
    }
  }, 30_000);

  it('side paths - a state bucket that is gone: the save is retried with coded events, the message stays unacked, other actors answer, and it completes when the bucket is back', async () => {
    const sys = await system('side-state');
    try {
      const events = eventLog((l) => sys.onEvent(l));
      const kept = await sys.spawn(PersistentCounter, { id: 'kept' });
      const counter = await sys.spawn(Counter, { id: 'c' });
      await kept.tell({ type: 'inc', by: 1 });
      expect(await kept.ask({ type: 'get' })).toBe(1);
      const jsm = await jetstreamManager(sys.node.nc);
      await jsm.streams.delete(KvLayout.stream(Buckets.state('side-state')));
      await kept.tell({ type: 'inc', by: 41 });
      const retry = await events.next((e) => e.type === 'retrying' && e.actor === 'kept');
      expect(retry).toMatchObject({ code: KernelCodes.STATE_SAVE_FAILED });
      await counter.tell({ type: 'inc', by: 3 });
      expect(await counter.ask({ type: 'get' })).toBe(3);
      // The bucket is back (empty): the pending save is stored, the message acked, the state what it was plus 41.
      await new Kvm(jetstream(sys.node.nc)).create(Buckets.state('side-state'), { history: 1 });
      await expect.poll(() => kept.ask({ type: 'get' }, { timeout: 1_000 }).catch(() => undefined), { timeout: 15_000 }).toBe(42);
    } finally {
      await sys.shutdown();
    }
  }, 30_000);

  it('side paths - a message too large to copy with the dead-letter headers is dead-lettered without its payload, and cannot be replayed', async () => {
    runs = 0;
    const sys = await system('side-big');
    try {
      const events = eventLog((l) => sys.onEvent(l));
      const refuser = await sys.spawn(Refuser, { id: 'refuser' });
      // The largest that fits in one message as a tell: with the dead-letter headers added it cannot.
      let pad = MAX_PAYLOAD - 150;
      for (;;) {
        const sent = await refuser.tell({ type: 'job', pad: 'x'.repeat(pad) }).then(() => true, (e: unknown) => (isCairnError(e, KernelCodes.SEND_FAILED) ? false : Promise.reject(e)));
        if (sent) break;
        pad -= 10;
      }
      await events.next((e) => e.type === 'dead-lettered' && e.actor === 'refuser');
      expect(runs).toBe(2);
      const admin = new DeadLetterAdmin(jetstream(sys.node.nc), await jetstreamManager(sys.node.nc), 'side-big');
      const [letter] = await admin.list();
      expect(letter).toMatchObject({ actor: 'refuser', code: KernelCodes.HANDLER_FAILED, payloadOmitted: true });
      expect(letter!.size).toBeGreaterThan(pad);
      expect(letter!.envelope).toBeUndefined();
      const err = await admin.replay(letter!.seq).catch((e: unknown) => e);
      expect(isCairnError(err, KernelCodes.DEAD_LETTER_PAYLOAD_OMITTED)).toBe(true);
      expect(err).toBeInstanceOf(CairnError);
    } finally {
      await sys.shutdown();
    }
  }, 30_000);
});
