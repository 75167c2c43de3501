// One set of behaviour tests, run in every runtime mode: an actor must behave the same wherever
// its handler runs. Modes (and what each supports) are listed in ./modes.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerRuntime, createActorSystem, defaultRuntimes } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { match } from 'ts-pattern';
import { DeadLetterAdmin, defineActor, type ActorRef, type Asks } from '../../kernel/index.ts';
import { KernelCodes } from '../../protocols/index.ts';
import { startTestServer, type TestServer } from '../helpers/nats.ts';
import { Counter, eventLog } from '../helpers/actors.ts';
import type { ConfMsg } from './behaviours.ts';
import { CONFORMANCE_MODES } from './modes.ts';
import type { ConformanceFeature, ConformanceMode } from './modes.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.cleanup();
});

describe.each(CONFORMANCE_MODES.map((mode) => ({ mode })))('conformance ($mode.name)', ({ mode }) => {
  const site = `conf-${mode.name.replace(/[^A-Za-z0-9]+/g, '-')}`;
  let sys: ActorSystem;
  let events: ReturnType<typeof eventLog>;
  let tmpDir: string;

  beforeAll(async () => {
    // A mode whose engine is missing (no Docker) fails here, loudly: nothing is skipped.
    await mode.prepare?.();
    tmpDir = await mkdtemp(join(tmpdir(), 'cairn-conf-'));
    sys = await createActorSystem({ runtimes: [...defaultRuntimes(), containerRuntime()], servers: server.url, site, node: 'n1', orphanTimeoutMs: 2_000 });
    await mode.register(sys.node, { tmpDir });
    events = eventLog((l) => sys.onEvent(l));
  });
  afterAll(async () => {
    events?.stop();
    await sys?.shutdown();
    if (tmpDir) await rm(tmpDir, { recursive: true, force: true, maxRetries: 3 });
  });

  const spawn = (id: string): Promise<ActorRef<ConfMsg>> => sys.spawn(mode.definition, { id, runtime: mode.runtime });
  // A mode gets exactly the tests of the features it declares (modes.ts): none is generated and skipped.
  const test = (name: string, needs: ConformanceFeature | undefined, fn: () => Promise<void>) => {
    if (needs === undefined || mode.features.has(needs)) it(`conformance (${mode.name}) - ${name}`, fn, 120_000);
  };

  test('tell is handled in order and ask returns the reply', undefined, async () => {
    const ref = await spawn('basic');
    await ref.tell({ type: 'inc', by: 2 });
    await ref.tell({ type: 'inc', by: 3 });
    expect(await ref.ask({ type: 'get' }, { timeout: 10_000 })).toBe(5);
    const info = sys.ps().actors.find((a) => a.id === 'basic');
    expect(info?.mode).toBe(mode.runtime.mode);
    if (mode.guest) expect(info?.guest).toMatch(mode.guest);
  });

  test('persisted state is restored when the actor is started again', 'persist', async () => {
    const ref = await spawn('persist');
    await ref.tell({ type: 'inc', by: 7 });
    expect(await ref.ask({ type: 'get' }, { timeout: 10_000 })).toBe(7);
    await sys.stop('persist');
    const again = await spawn('persist');
    expect(await again.ask({ type: 'get' }, { timeout: 10_000 })).toBe(7);
    await sys.stop('persist');
  });

  test('a crash is reported, the supervisor restarts the actor and the next message is handled', 'crash', async () => {
    const ref = await spawn('crashy');
    await ref.tell({ type: 'inc', by: 1 });
    const answer = ref.ask({ type: 'crash', how: mode.crash }, { timeout: 20_000 });
    const crashed = await events.next((e) => e.type === 'crashed' && e.actor === 'crashy');
    if (crashed.type !== 'crashed') throw new Error('unreachable');
    if (mode.crash === 'exit') {
      expect(crashed.code).toBe(KernelCodes.GUEST_EXITED);
      expect(crashed.reason).toMatch(/exited with code 3/);
    }
    await events.next((e) => e.type === 'started' && e.actor === 'crashy' && e.restarts === 1);
    // The message that killed the first incarnation is retried by the second.
    expect(await answer).toBe('survived');
    await ref.tell({ type: 'inc', by: 1 });
    expect(await ref.ask({ type: 'get' }, { timeout: 10_000 })).toBe(2);
  });

  test('the actor gets its config as ctx.config', undefined, async () => {
    const config = { greeting: 'hello', every: 250, nested: { list: [1, 2, 3], flag: true } };
    const ref = await sys.spawn(mode.definition, { id: 'configured', runtime: mode.runtime, config });
    expect(await ref.ask({ type: 'config' }, { timeout: 10_000 })).toEqual(config);
    // Spawned again with another config, it gets that one.
    await sys.stop('configured');
    const again = await sys.spawn(mode.definition, { id: 'configured', runtime: mode.runtime, config: { other: 1 } });
    expect(await again.ask({ type: 'config' }, { timeout: 10_000 })).toEqual({ other: 1 });
    const plain = await spawn('unconfigured');
    expect(await plain.ask({ type: 'config' }, { timeout: 10_000 })).toEqual({});
  });

  test('stop ends the actor gracefully', undefined, async () => {
    const ref = await spawn('stoppable');
    expect(await ref.ask({ type: 'get' }, { timeout: 10_000 })).toBe(0);
    await sys.stop('stoppable');
    const stopped = await events.next((e) => e.type === 'stopped' && e.actor === 'stoppable');
    expect(stopped).toMatchObject({ reason: 'shutdown' });
    expect(sys.ps().actors.map((a) => a.id)).not.toContain('stoppable');
  });

  test('a failing handler dead-letters the message with its error and the actor keeps going', undefined, async () => {
    const ref = await spawn('failing');
    await ref.tell({ type: 'boom' });
    const dead = await events.next((e) => e.type === 'dead-lettered' && e.actor === 'failing');
    expect(dead).toMatchObject({ code: KernelCodes.HANDLER_FAILED });
    expect((dead as { reason: string }).reason).toMatch(/boom/);
    const letters = await new DeadLetterAdmin(sys.node.js, sys.node.jsm, site).list({ actor: 'failing' });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ code: KernelCodes.HANDLER_FAILED, attempts: 2 });
    expect(letters[0]!.reason).toMatch(/boom/);
    await ref.tell({ type: 'inc', by: 4 });
    expect(await ref.ask({ type: 'get' }, { timeout: 10_000 })).toBe(4);
  });

  test('an ask made from inside the handler is answered', 'ask-from-guest', async () => {
    const target = await sys.spawn(Counter, { id: 'ask-target' });
    await target.tell({ type: 'inc', by: 4 });
    const ref = await spawn('asker');
    expect(await ref.ask({ type: 'ask-other', to: 'ask-target' }, { timeout: 10_000 })).toBe(4);
  });

  test('messages sent from inside the handler are delivered', 'send-from-guest', async () => {
    const target = await sys.spawn(Counter, { id: 'send-target' });
    const ref = await spawn('sender');
    await ref.tell({ type: 'forward', to: 'send-target', by: 3 });
    await ref.tell({ type: 'forward', to: 'send-target', by: 2 });
    // Answered only after both forwards were handled, and their sends are published before the ack.
    await ref.ask({ type: 'get' }, { timeout: 10_000 });
    expect(await target.ask({ type: 'get' }, { timeout: 10_000 })).toBe(5);
  });

  test('a message sent from inside the handler keeps its ttl', 'send-from-guest', async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // Inline, busy with its first message while the guest's sends queue behind it.
    const target = await sys.spawn(
      defineActor<GateMsg, { n: number }>({
        name: 'gate',
        initialState: { n: 0 },
        receive: (msg, ctx) =>
          match(msg)
            .with({ type: 'hold' }, () => released)
            .with({ type: 'inc' }, ({ by }) => ctx.setState({ n: ctx.state.n + by }))
            .with({ type: 'get' }, () => ctx.state.n)
            .exhaustive(),
      }),
      { id: 'ttl-target' },
    );
    await target.tell({ type: 'hold' });
    const ref = await spawn('ttl-sender');
    await ref.tell({ type: 'forward', to: 'ttl-target', by: 1, ttl: 1_000 });
    await ref.tell({ type: 'forward', to: 'ttl-target', by: 10 });
    await ref.ask({ type: 'get' }, { timeout: 10_000 }); // both forwards handled, their sends stored
    await new Promise((r) => setTimeout(r, 1_100)); // the ttl is time itself: let it pass
    release();
    expect(await target.ask({ type: 'get' }, { timeout: 10_000 })).toBe(10);
    expect(sys.node.cell('ttl-target')!.info().expired).toBe(1);
  });
});

type GateMsg = { type: 'hold' } | { type: 'inc'; by: number } | ({ type: 'get' } & Asks<number>);

// Keeps the mode table honest: every mode listed runs (or says why it cannot).
describe('conformance modes', () => {
  it('conformance modes - names are unique', () => {
    const names = CONFORMANCE_MODES.map((m: ConformanceMode) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
