import { describe, expect, it } from 'vitest';
import { match } from 'ts-pattern';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { DeadLetterAdmin, defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import { Consumers, KernelCodes, Streams, Subjects, encodeValue, isCairnError } from '../../protocols/index.ts';
import { serverForFile } from '../helpers/server-for-file.ts';
import type { TestServer } from '../helpers/nats.ts';
import { Counter, eventLog } from '../helpers/actors.ts';

let server: TestServer;
let nc: NatsConnection;
serverForFile((s, c) => {
  server = s;
  nc = c;
});

function system(site: string, extra: Parameters<typeof createActorSystem>[0] = {}): Promise<ActorSystem> {
  return createActorSystem({ servers: server.url, site, node: 'n1', orphanTimeoutMs: 1_000, ...extra });
}

type LogMsg = { type: 'log'; n: number; failFirst?: boolean } | ({ type: 'seen' } & Asks<number[]>);

/** Records the order in which it handles messages; optionally fails the first attempt of some. */
function recorder(onError: 'restart' | 'resume') {
  return defineActor<LogMsg, { seen: number[] }>({
    name: `recorder-${onError}`,
    onError,
    initialState: () => ({ seen: [] }),
    retry: { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 5 },
    receive: (msg, ctx) =>
      match(msg)
        .with({ type: 'log' }, ({ n, failFirst }) => {
          if (failFirst && ctx.attempt === 1) throw new Error(`first attempt at ${n} fails`);
          ctx.setState({ seen: [...ctx.state.seen, n] });
        })
        .with({ type: 'seen' }, () => ctx.state.seen)
        .exhaustive(),
  });
}

describe('mailbox', () => {
  it('mailbox - the same message id sent twice is handled once', async () => {
    const sys = await system('dedup');
    try {
      const c = await sys.spawn(Counter, { id: 'c' });
      await c.tell({ type: 'inc', by: 1 }, { id: 'order-42' });
      await c.tell({ type: 'inc', by: 1 }, { id: 'order-42' });
      await c.tell({ type: 'inc', by: 10 }, { id: 'order-43' });
      expect(await c.ask({ type: 'get' })).toBe(11);
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - the same id sent to two different actors is two messages', async () => {
    const sys = await system('dedup-scope');
    try {
      const a = await sys.spawn(Counter, { id: 'a' });
      const b = await sys.spawn(Counter, { id: 'b' });
      await a.tell({ type: 'inc', by: 1 }, { id: 'same' });
      await b.tell({ type: 'inc', by: 1 }, { id: 'same' });
      expect([await a.ask({ type: 'get' }), await b.ask({ type: 'get' })]).toEqual([1, 1]);
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - order is kept per actor, also when attempts fail and are retried (resume)', async () => {
    const sys = await system('order-resume');
    try {
      const r = await sys.spawn(recorder('resume'), { id: 'r' });
      const sends: Promise<void>[] = [];
      for (let n = 0; n < 300; n++) sends.push(r.tell({ type: 'log', n, failFirst: n % 25 === 0 }));
      await Promise.all(sends);
      const seen = await r.ask({ type: 'seen' }, { timeout: 20_000 });
      expect(seen).toEqual([...Array(300).keys()]);
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - order is kept per actor across crash-restarts (restart)', async () => {
    const sys = await system('order-restart', { root: { intensity: 100, periodMs: 10_000 } });
    try {
      // Persisted, so the restarted incarnations keep what the earlier ones recorded.
      const Rec = defineActor<LogMsg, { seen: number[] }>({ ...recorder('restart'), persist: true, initialState: () => ({ seen: [] }) });
      const r = await sys.spawn(Rec, { id: 'r' });
      const log = eventLog((l) => sys.onEvent(l));
      const sends: Promise<void>[] = [];
      for (let n = 0; n < 100; n++) sends.push(r.tell({ type: 'log', n, failFirst: n % 20 === 5 }));
      await Promise.all(sends);
      expect(await r.ask({ type: 'seen' }, { timeout: 20_000 })).toEqual([...Array(100).keys()]);
      expect(log.count((e) => e.type === 'crashed' && e.actor === 'r')).toBe(5);
      expect(sys.ps().actors.find((a) => a.id === 'r')?.restarts).toBe(5);
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - a handler that keeps throwing is retried, dead-lettered with its error, and the actor goes on', async () => {
    const sys = await system('poison', { root: { intensity: 20, periodMs: 10_000 } });
    try {
      const log = eventLog((l) => sys.onEvent(l));
      const c = await sys.spawn(Counter, { id: 'c' });
      await c.tell({ type: 'inc', by: 1 });
      await c.tell({ type: 'boom' }, { id: 'poison-1' });
      await c.tell({ type: 'inc', by: 2 });
      await log.next((e) => e.type === 'dead-lettered');
      // Counter is not persisted: the restarts after the crashes reset it, so only the message after the poison counts.
      expect(await c.ask({ type: 'get' })).toBe(2);
      const crashes = log.count((e) => e.type === 'crashed');
      expect(crashes).toBe(3); // maxAttempts = 3, each attempt crashed the incarnation
      const admin = new DeadLetterAdmin(jetstream(nc), await jetstreamManager(nc), 'poison');
      const dead = await admin.list();
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ actor: 'c', code: KernelCodes.HANDLER_FAILED, attempts: 3, subject: Subjects.mailbox('poison', 'c') });
      expect(dead[0]!.reason).toContain('boom');
      expect(dead[0]!.envelope?.id).toBe('poison-1');
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - an ask whose message is dead-lettered gets an error reply naming the failure', async () => {
    const sys = await system('poison-ask');
    try {
      const Failing = defineActor<{ type: 'q' } & Asks<number>>({
        name: 'failing',
        onError: 'resume',
        retry: { maxAttempts: 2, initialBackoffMs: 1, maxBackoffMs: 1 },
        receive: () => {
          throw new TypeError('cannot answer');
        },
      });
      const f = await sys.spawn(Failing, { id: 'f' });
      const err = await f.ask({ type: 'q' }).catch((e: unknown) => e);
      expect(isCairnError(err, KernelCodes.REMOTE_ERROR)).toBe(true);
      expect((err as Error).message).toContain('cannot answer');
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - an undecodable payload goes to dead letters and the actor keeps handling', async () => {
    const sys = await system('garbage');
    try {
      const c = await sys.spawn(Counter, { id: 'c' });
      const js = jetstream(nc);
      await js.publish(Subjects.mailbox('garbage', 'c'), new Uint8Array([0xc1, 0xff, 0x00]));
      await js.publish(Subjects.mailbox('garbage', 'c'), encodeValue({ v: 99, id: 'x', type: 'inc', to: 'garbage/c', ts: 1, body: {} }));
      await c.tell({ type: 'inc', by: 5 });
      expect(await c.ask({ type: 'get' })).toBe(5);
      const admin = new DeadLetterAdmin(js, await jetstreamManager(nc), 'garbage');
      const dead = await admin.list();
      expect(dead.map((d) => d.code)).toEqual([KernelCodes.UNDECODABLE, KernelCodes.UNDECODABLE]);
      expect(dead[0]!.envelope).toBeUndefined();
      expect(dead[1]!.reason).toContain('version 99');
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - dead letters replay into the mailbox and are handled once the cause is gone', async () => {
    const sys = await system('replay');
    try {
      const log = eventLog((l) => sys.onEvent(l));
      // No actor "late" yet: after the orphan timeout its message is dead-lettered, not lost.
      await sys.ref<{ type: 'inc'; by: number }>('late').tell({ type: 'inc', by: 3 });
      await log.next((e) => e.type === 'dead-lettered' && e.actor === 'late');
      const admin = new DeadLetterAdmin(jetstream(nc), await jetstreamManager(nc), 'replay');
      const [dead] = await admin.list();
      expect(dead).toMatchObject({ actor: 'late', code: KernelCodes.ACTOR_NOT_FOUND });
      const late = await sys.spawn(Counter, { id: 'late' });
      expect(await admin.replay(dead!.seq)).toBe(true);
      await late.tell({ type: 'inc', by: 1 });
      expect(await late.ask({ type: 'get' })).toBe(4);
      expect(await admin.list()).toEqual([]);
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - messages sent before their actor is spawned wait for it, in order', async () => {
    const sys = await system('early', { orphanTimeoutMs: 30_000 });
    try {
      const ref = sys.ref<LogMsg>('r');
      for (let n = 0; n < 20; n++) await ref.tell({ type: 'log', n });
      const r = await sys.spawn(recorder('resume'), { id: 'r' });
      expect(await r.ask({ type: 'seen' })).toEqual([...Array(20).keys()]);
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - a full mailbox makes tell wait, and fail with CAIRN_MAILBOX_FULL after its timeout', async () => {
    const sys = await system('backpressure', { mailbox: { capacity: 5 } });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const Slow = defineActor<{ type: 'work'; n: number }, { done: number }>({
      name: 'slow',
      initialState: { done: 0 },
      receive: async (_msg, ctx) => {
        await gate;
        ctx.setState({ done: ctx.state.done + 1 });
      },
    });
    try {
      const s = await sys.spawn(Slow, { id: 's' });
      for (let n = 0; n < 5; n++) await s.tell({ type: 'work', n });
      const err = await s.tell({ type: 'work', n: 5 }, { timeout: 300 }).catch((e: unknown) => e);
      expect(isCairnError(err, KernelCodes.MAILBOX_FULL)).toBe(true);
      expect((err as Error).message).toContain('backpressure/s');
      // A tell that is still waiting goes through once the actor drains its mailbox.
      const waiting = s.tell({ type: 'work', n: 6 }, { timeout: 20_000 });
      open();
      await expect(waiting).resolves.toBeUndefined();
    } finally {
      open();
      await sys.shutdown();
    }
  });

  it('mailbox - an actor at its own mailbox.capacity sends what arrives beyond it to the dead letters; the others keep receiving and nothing is lost', async () => {
    const sys = await system('per-actor-capacity');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    type Work = { type: 'work'; n: number } | ({ type: 'seen' } & Asks<number[]>);
    const Gated = defineActor<Work, { seen: number[] }>({
      name: 'gated',
      initialState: () => ({ seen: [] }),
      mailbox: { capacity: 3 },
      receive: async (msg, ctx) => {
        if (msg.type === 'seen') return ctx.state.seen;
        await gate;
        ctx.setState({ seen: [...ctx.state.seen, msg.n] });
      },
    });
    try {
      const log = eventLog((l) => sys.onEvent(l));
      const g = await sys.spawn(Gated, { id: 'g' });
      const other = await sys.spawn(Counter, { id: 'other' });
      // One is being handled (it waits at the gate), three wait: the other six overflow.
      for (let n = 0; n < 10; n++) await g.tell({ type: 'work', n }, { id: `work-${n}` });
      for (let i = 0; i < 6; i++) await log.next((e) => e.type === 'dead-lettered' && e.actor === 'g');
      // The node's other actors are not held up by it.
      await other.tell({ type: 'inc', by: 5 });
      expect(await other.ask({ type: 'get' })).toBe(5);
      expect(sys.ps().actors.find((a) => a.id === 'g')).toMatchObject({ overflowed: 6, queued: 4 });
      const admin = new DeadLetterAdmin(jetstream(nc), await jetstreamManager(nc), 'per-actor-capacity');
      const dead = await admin.list();
      expect(dead.map((d) => d.envelope?.id)).toEqual(['work-4', 'work-5', 'work-6', 'work-7', 'work-8', 'work-9']);
      expect(dead.every((d) => d.code === KernelCodes.MAILBOX_OVERFLOW && d.reason.includes('mailbox.capacity'))).toBe(true);
      open();
      expect(await g.ask({ type: 'seen' })).toEqual([0, 1, 2, 3]);
      // Nothing is lost: replayed once there is room, the overflow is handled, in order.
      for (const d of dead) expect(await admin.replay(d.seq)).toBe(true);
      await expect.poll(() => g.ask({ type: 'seen' }), { timeout: 10_000 }).toEqual([...Array(10).keys()]);
      log.stop();
    } finally {
      open();
      await sys.shutdown();
    }
  });

  it('mailbox - a message to a malformed address is refused before sending', async () => {
    const sys = await system('addr');
    try {
      expect(() => sys.ref('has space')).toThrow(/actor id "has space" is not valid/);
      await expect(sys.ref('ok').tell({} as never)).rejects.toThrow(/non-empty string "type"/);
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - a node whose mailbox consumer disappears recreates it and keeps handling messages', async () => {
    const sys = await system('lost-consumer');
    try {
      const c = await sys.spawn(Counter, { id: 'c' });
      await c.tell({ type: 'inc', by: 1 });
      expect(await c.ask({ type: 'get' })).toBe(1);
      // As after an operator's mistake (or, on nats-server 2.9.10, a kill -9 right after it was created).
      await (await jetstreamManager(nc)).consumers.delete(Streams.mailbox('lost-consumer'), Consumers.mailbox('lost-consumer'));
      await c.tell({ type: 'inc', by: 2 });
      expect(await c.ask({ type: 'get' }, { timeout: 30_000 })).toBe(3);
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - a mailbox stream deleted and made anew numbers from 1 again: actors, persisted or not, handle its messages, none is taken as handled already', async () => {
    const sys = await system('lost-stream');
    try {
      const pc = await sys.spawn({ ...Counter, persist: true }, { id: 'pc' });
      const c = await sys.spawn(Counter, { id: 'c' });
      for (let i = 0; i < 5; i++) await pc.tell({ type: 'inc', by: 1 });
      for (let i = 0; i < 5; i++) await c.tell({ type: 'inc', by: 1 });
      expect(await pc.ask({ type: 'get' })).toBe(5);
      expect(await c.ask({ type: 'get' })).toBe(5);
      const jsm = await jetstreamManager(nc);
      const before = (await jsm.streams.info(Streams.mailbox('lost-stream'))).created;
      // An operator's mistake, or a store lost under a running server.
      await jsm.streams.delete(Streams.mailbox('lost-stream'));
      // The leader makes it again (its sequences start at 1, below the 6 the actor applied).
      await expect.poll(async () => (await jsm.streams.info(Streams.mailbox('lost-stream')).catch(() => undefined))?.created, { timeout: 30_000, interval: 100 }).not.toBe(before);
      await expect.poll(async () => (await jsm.streams.info(Streams.mailbox('lost-stream')).catch(() => undefined))?.created, { timeout: 30_000, interval: 100 }).toBeDefined();
      await pc.tell({ type: 'inc', by: 2 });
      await c.tell({ type: 'inc', by: 2 });
      expect(await pc.ask({ type: 'get' }, { timeout: 30_000 })).toBe(7);
      // One that does not persist remembers what it handled last: not the new stream's numbers.
      expect(await c.ask({ type: 'get' }, { timeout: 30_000 })).toBe(7);
    } finally {
      await sys.shutdown();
    }
  });

  it('mailbox - 10,000 actors share one server consumer and each gets its message', async () => {
    const sys = await system('many', { mailbox: { maxInFlight: 2_048 } });
    try {
      const ids = Array.from({ length: 10_000 }, (_, i) => `a${i}`);
      for (let i = 0; i < ids.length; i += 500) await Promise.all(ids.slice(i, i + 500).map((id) => sys.spawn(Counter, { id })));
      for (let i = 0; i < ids.length; i += 1_000) await Promise.all(ids.slice(i, i + 1_000).map((id) => sys.ref<{ type: 'inc'; by: number }>(id).tell({ type: 'inc', by: 1 })));
      // Every actor answers 1: its one message was handled (asks queue behind the tell).
      const replies: unknown[] = [];
      for (let i = 0; i < ids.length; i += 1_000) replies.push(...(await Promise.all(ids.slice(i, i + 1_000).map((id) => sys.ref<{ type: 'get' } & Asks<number>>(id).ask({ type: 'get' }, { timeout: 30_000 })))));
      expect(replies.every((r) => r === 1)).toBe(true);
      expect(replies).toHaveLength(10_000);
      const jsm = await jetstreamManager(nc);
      const consumers = await jsm.consumers.list(Streams.mailbox('many')).next();
      expect(consumers).toHaveLength(1);
      expect((await jsm.getAccountInfo()).consumers).toBeLessThan(50);
    } finally {
      await sys.shutdown();
    }
  }, 120_000);
});
