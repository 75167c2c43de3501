import { describe, expect, it } from 'vitest';
import { match } from 'ts-pattern';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import { expiresAt, ttlSeconds } from '../../kernel/message-ttl.ts';
import { ttlSeconds as ttlOptionSeconds } from '../../kernel/nats-sender.ts';
import { KernelCodes, Streams, Subjects, isCairnError } from '../../protocols/index.ts';
import { serverForFile } from '../helpers/server-for-file.ts';
import type { TestServer } from '../helpers/nats.ts';
import { Counter, eventLog } from '../helpers/actors.ts';
import type { CounterMsg } from '../helpers/actors.ts';

describe('message ttl (pure)', () => {
  it('ttlSeconds - reads the Nats-TTL forms nats-server writes and takes; none for never or nonsense', () => {
    expect(['5s', '5', '1m30s', '2h', '1500ms', '900ms', 'never', '', 'soon', '0'].map(ttlSeconds)).toEqual([5, 5, 90, 7200, 1, undefined, undefined, undefined, undefined, undefined]);
  });

  it('expiresAt - the stored time plus the ttl; none without one', () => {
    expect(expiresAt(1_000_000, '5s')).toBe(1_005_000);
    expect(expiresAt(1_000_000, undefined)).toBeUndefined();
  });

  it('ttl option - whole seconds rounded up, at least one second, else a coded error naming the value', () => {
    expect(ttlOptionSeconds(1_000, 'local/a')).toBe(1);
    expect(ttlOptionSeconds(1_001, 'local/a')).toBe(2);
    for (const bad of [999, 0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const err = (() => {
        try {
          ttlOptionSeconds(bad, 'local/a');
        } catch (e) {
          return e;
        }
      })();
      expect(isCairnError(err, KernelCodes.INVALID_OPTION)).toBe(true);
      expect((err as Error).message).toContain(`ttl ${String(bad)}`);
    }
  });
});

let server: TestServer;
let nc: NatsConnection;
serverForFile((s, c) => {
  server = s;
  nc = c;
});

type GateMsg = ({ type: 'hold' } & Asks<'released'>) | ({ type: 'work'; n: number } & Asks<number>) | ({ type: 'done' } & Asks<number[]>);

/** Handles `hold` by waiting until the test releases it, so later messages queue behind it. */
function gate(released: Promise<void>) {
  return defineActor<GateMsg, { done: number[] }>({
    name: 'gate',
    initialState: () => ({ done: [] }),
    receive: (msg, ctx) =>
      match(msg)
        .with({ type: 'hold' }, async () => {
          await released;
          return 'released' as const;
        })
        .with({ type: 'work' }, ({ n }) => {
          ctx.setState({ done: [...ctx.state.done, n] });
          return n;
        })
        .with({ type: 'done' }, () => ctx.state.done)
        .exhaustive(),
  });
}

describe('message ttl', () => {
  it('ttl - a message whose ttl passes while it queues behind a slow one is dropped unhandled, counted and reported', async () => {
    const sys = await createActorSystem({ servers: server.url, site: 'ttl-queue', node: 'n1' });
    const events = eventLog((l) => sys.onEvent(l));
    try {
      let release!: () => void;
      const g = await sys.spawn(gate(new Promise<void>((r) => (release = r))), { id: 'g' });
      const held = g.ask({ type: 'hold' }, { timeout: 30_000 });
      await g.tell({ type: 'work', n: 1 }, { ttl: 1_000 });
      await g.tell({ type: 'work', n: 2 });
      await new Promise((r) => setTimeout(r, 1_100)); // the ttl is time itself: let it pass
      release();
      expect(await held).toBe('released');
      expect(await g.ask({ type: 'done' })).toEqual([2]);
      const expired = await events.next((e) => e.type === 'expired' && e.actor === 'g');
      expect(expired).toMatchObject({ type: 'expired', actor: 'g', reason: expect.stringMatching(/ttl ended \d+ ms before it could be handled/) });
      expect(sys.node.cell('g')!.info()).toMatchObject({ expired: 1, handled: 3 });
    } finally {
      events.stop();
      await sys.shutdown();
    }
  });

  it('ttl - an ask the asker gave up on is not handled later: its ttl is its timeout', async () => {
    const sys = await createActorSystem({ servers: server.url, site: 'ttl-ask', node: 'n1' });
    try {
      let release!: () => void;
      const g = await sys.spawn(gate(new Promise<void>((r) => (release = r))), { id: 'g' });
      const held = g.ask({ type: 'hold' }, { timeout: 30_000 });
      const late = await g.ask({ type: 'work', n: 7 }, { timeout: 1_000 }).catch((e: unknown) => e);
      expect(isCairnError(late, KernelCodes.ASK_TIMEOUT)).toBe(true);
      // The ttl counts from when the stream stored the request, a moment after the ask began.
      await new Promise((r) => setTimeout(r, 100));
      release();
      await held;
      expect(await g.ask({ type: 'done' })).toEqual([]);
      expect(sys.node.cell('g')!.info().expired).toBe(1);
    } finally {
      await sys.shutdown();
    }
  });

  it('ttl - an ask whose own ttl is shorter than its timeout gets CAIRN_MESSAGE_EXPIRED when it is dropped', async () => {
    const sys = await createActorSystem({ servers: server.url, site: 'ttl-ask-short', node: 'n1' });
    try {
      let release!: () => void;
      const g = await sys.spawn(gate(new Promise<void>((r) => (release = r))), { id: 'g' });
      const held = g.ask({ type: 'hold' }, { timeout: 30_000 });
      const answer = g.ask({ type: 'work', n: 8 }, { timeout: 20_000, ttl: 1_000 }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 1_100));
      release();
      await held;
      const err = await answer;
      // The actor's answer: a remote error carrying the code.
      expect(isCairnError(err, KernelCodes.REMOTE_ERROR)).toBe(true);
      expect((err as { details: { remoteCode: string } }).details.remoteCode).toBe(KernelCodes.MESSAGE_EXPIRED);
      expect((err as Error).message).toMatch(/expired: its ttl ended/);
    } finally {
      await sys.shutdown();
    }
  });

  it('ttl - a message for an actor not running is deleted by the stream and dropped by the node once its ttl passes; the actor, started later, never sees it', async () => {
    const sys = await createActorSystem({ servers: server.url, site: 'ttl-orphan', node: 'n1', orphanTimeoutMs: 60_000 });
    const events = eventLog((l) => sys.onEvent(l));
    try {
      await sys.node.ref<CounterMsg>('c').tell({ type: 'inc', by: 1 }, { ttl: 1_000 });
      await sys.node.ref<CounterMsg>('c').tell({ type: 'inc', by: 10 });
      const jsm = await jetstreamManager(nc);
      const stored = async (): Promise<number> => (await jsm.streams.info(Streams.mailbox('ttl-orphan'), { subjects_filter: Subjects.mailbox('ttl-orphan', 'c') })).state.messages;
      expect(await stored()).toBe(2);
      // nats-server deletes it (though the node holds it unacked), and the node drops its copy.
      await expect.poll(stored, { timeout: 10_000, interval: 100 }).toBe(1);
      expect(await events.next((e) => e.type === 'expired' && e.actor === 'c')).toMatchObject({ reason: expect.stringContaining('while no actor "c" ran') });
      const c = await sys.spawn(Counter, { id: 'c' });
      expect(await c.ask({ type: 'get' })).toBe(10);
    } finally {
      events.stop();
      await sys.shutdown();
    }
  });
});
