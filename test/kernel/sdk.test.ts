import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { match } from 'ts-pattern';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { SiteSender, defineActor, systemClock, type Asks } from '../../kernel/index.ts';
import { isCairnError, KernelCodes } from '../../protocols/index.ts';
import type { ActorEvent } from '../../protocols/index.ts';
import { startTestServer, type TestServer } from '../helpers/nats.ts';
import { Counter, PersistentCounter } from '../helpers/actors.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.cleanup();
});

async function system(site: string): Promise<ActorSystem> {
  return createActorSystem({ servers: server.url, site, node: 'n1', orphanTimeoutMs: 2_000 });
}

describe('sdk', () => {
  it('sdk - tell is handled and ask returns the typed reply', async () => {
    const sys = await system('sdk-a');
    try {
      const counter = await sys.spawn(Counter, { id: 'c1' });
      await counter.tell({ type: 'inc', by: 2 });
      await counter.tell({ type: 'inc', by: 3 });
      const n: number = await counter.ask({ type: 'get' }, { timeout: 5_000 });
      expect(n).toBe(5);
    } finally {
      await sys.shutdown();
    }
  });

  it('sdk - ask times out with CAIRN_ASK_TIMEOUT when nobody handles the message', async () => {
    const sys = await system('sdk-b');
    try {
      const err = await sys.ref<{ type: 'get' } & Asks<number>>('nobody').ask({ type: 'get' }, { timeout: 200 }).catch((e: unknown) => e);
      expect(isCairnError(err, KernelCodes.ASK_TIMEOUT)).toBe(true);
      expect((err as Error).message).toContain('sdk-b/nobody');
    } finally {
      await sys.shutdown();
    }
  });

  it('sdk - ask is cancelled by its AbortSignal', async () => {
    const sys = await system('sdk-c');
    try {
      const ac = new AbortController();
      const pending = sys.ref<{ type: 'get' } & Asks<number>>('nobody').ask({ type: 'get' }, { timeout: 10_000, signal: ac.signal });
      ac.abort();
      await expect(pending).rejects.toMatchObject({ code: KernelCodes.ABORTED });
    } finally {
      await sys.shutdown();
    }
  });

  it('sdk - persisted state survives a restart of the whole system', async () => {
    let sys = await system('sdk-d');
    const ref = await sys.spawn(PersistentCounter, { id: 'pc' });
    await ref.tell({ type: 'inc', by: 7 });
    expect(await ref.ask({ type: 'get' })).toBe(7);
    await sys.shutdown();
    sys = await system('sdk-d');
    try {
      const again = await sys.spawn(PersistentCounter, { id: 'pc' });
      expect(await again.ask({ type: 'get' })).toBe(7);
    } finally {
      await sys.shutdown();
    }
  });

  it('sdk - ctx can tell, ask, spawn and stop other actors', async () => {
    type BossMsg = ({ type: 'run' } & Asks<{ got: number; stopped: boolean }>);
    const Boss = defineActor<BossMsg>({
      name: 'boss',
      receive: (msg, ctx) =>
        match(msg)
          .with({ type: 'run' }, async () => {
            const worker = await ctx.spawn(Counter, { id: 'boss-worker' });
            await ctx.tell(worker, { type: 'inc', by: 4 });
            const got = await ctx.ask(worker, { type: 'get' }, { timeout: 5_000 });
            await ctx.stop(worker);
            return { got, stopped: true };
          })
          .exhaustive(),
    });
    const sys = await system('sdk-e');
    try {
      const boss = await sys.spawn(Boss, { id: 'boss' });
      expect(await boss.ask({ type: 'run' }, { timeout: 10_000 })).toEqual({ got: 4, stopped: true });
      expect(sys.ps().actors.map((a) => a.id)).toEqual(['boss']);
    } finally {
      await sys.shutdown();
    }
  });

  it('sdk - what fails a tell or ask reaches the caller with a registered code: unencodable, no stream for the site, system shut down', async () => {
    const sys = await system('sdk-codes');
    const counter = await sys.spawn(Counter, { id: 'c1' });
    const codeOf = (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (e: unknown) => (e as { code?: string }).code);
    // MessagePack holds 64-bit integers at most.
    expect(await codeOf(sys.ref('c1').tell({ type: 'inc', by: 10n ** 30n } as never))).toBe(KernelCodes.INVALID_OPTION);
    // A site no node ever started has no mailbox stream: nothing answers the publish.
    const outsider = new SiteSender(sys.node.nc, 'sdk-nostream', 'sdk-nostream/~test', systemClock);
    expect(await codeOf(outsider.ref<{ type: 'inc'; by: number }>('c1').tell({ type: 'inc', by: 1 }))).toBe(KernelCodes.JETSTREAM_UNAVAILABLE);
    outsider.close();
    expect(await codeOf(counter.ask({ type: 'get' }))).toBeUndefined();
    await sys.shutdown();
    expect(await codeOf(counter.ask({ type: 'get' }, { timeout: 1_000 }))).toBe(KernelCodes.SYSTEM_NOT_RUNNING);
  });

  it('sdk - a handler that holds the event loop is reported as a stall naming it, and the node carries on', async () => {
    const sys = await createActorSystem({ servers: server.url, site: 'sdk-stall', node: 'n1', stallThresholdMs: 200 });
    try {
      const Busy = defineActor<{ type: 'spin'; ms: number }>({
        name: 'busy',
        receive: (msg) => {
          const until = performance.now() + msg.ms;
          while (performance.now() < until) {
            // holds the event loop, as a CPU-bound handler does
          }
        },
      });
      const busy = await sys.spawn(Busy, { id: 'busy' });
      const stalled = new Promise<ActorEvent>((resolve) => sys.onEvent((e) => e.type === 'stalled' && resolve(e)));
      await busy.tell({ type: 'spin', ms: 700 });
      const e = (await stalled) as Extract<ActorEvent, { type: 'stalled' }>;
      expect(e.actor).toBe('busy');
      expect(e.lagMs).toBeGreaterThanOrEqual(200);
      expect(e.handlerMs).toBeGreaterThanOrEqual(350);
      const counter = await sys.spawn(Counter, { id: 'c1' });
      await counter.tell({ type: 'inc', by: 1 });
      expect(await counter.ask({ type: 'get' })).toBe(1);
    } finally {
      await sys.shutdown();
    }
  });

  it('sdk - spawning an id that already runs fails with CAIRN_ACTOR_ALREADY_RUNNING', async () => {
    const sys = await system('sdk-f');
    try {
      await sys.spawn(Counter, { id: 'dup' });
      await expect(sys.spawn(Counter, { id: 'dup' })).rejects.toMatchObject({ code: KernelCodes.ACTOR_ALREADY_RUNNING });
    } finally {
      await sys.shutdown();
    }
  });

  it('sdk - an invalid actor id is rejected naming the value', async () => {
    const sys = await system('sdk-g');
    try {
      await expect(sys.spawn(Counter, { id: 'bad.id' })).rejects.toThrow(/bad\.id/);
    } finally {
      await sys.shutdown();
    }
  });
});

describe('sdk options', () => {
  it('sdk - numeric node options that are not above zero are refused before connecting, each named with its value', async () => {
    const err = await createActorSystem({ servers: 'nats://127.0.0.1:1', heartbeatMs: 0, stallThresholdMs: -5 }).catch((e: unknown) => e);
    expect(isCairnError(err, KernelCodes.INVALID_OPTION)).toBe(true);
    expect((err as Error).message).toContain('heartbeatMs 0');
    expect((err as Error).message).toContain('stallThresholdMs -5');
  });
});
