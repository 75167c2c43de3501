// The worker launcher: TypeScript behaviours load in worker threads; failures and kills are reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestChannel } from '../../../kernel/index.ts';
import type { GuestFrame } from '../../../protocols/index.ts';
import { workerLauncher } from '../../../kernel/runtimes/index.ts';
import { ActorNode } from '../../../kernel/index.ts';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import { HOST_PROTOCOL_VERSION, KernelCodes } from '../../../protocols/index.ts';
import { startTestServer, type TestServer } from '../../helpers/nats.ts';
import { ConfCounter } from '../../conformance/behaviours.ts';
import { BEHAVIOURS_MODULE } from '../../conformance/modes.ts';

const info = { site: 'wl', node: 'n1', actor: 'w1' };
const launch = (module: string, exportName: string): Promise<GuestChannel> =>
  workerLauncher()({ mode: 'worker', module, export: exportName }, info, new AbortController().signal);

function nextFrame(ch: GuestChannel, t: GuestFrame['t']): Promise<GuestFrame> {
  return new Promise((resolve) => ch.onFrame((f) => f.t === t && resolve(f)));
}

describe('worker launcher', () => {
  it('worker launcher - runs a TypeScript behaviour in a worker thread and reports kill() as a termination', async () => {
    const ch = await launch(BEHAVIOURS_MODULE, 'ConfCounter');
    expect(ch.describe).toMatch(/^worker \d+$/);
    const ready = nextFrame(ch, 'ready');
    ch.send({ t: 'init', v: HOST_PROTOCOL_VERSION, id: 'w1', site: 'wl', node: 'n1', state: { value: { n: 41 } } });
    await ready;
    const done = nextFrame(ch, 'done');
    ch.send({ t: 'msg', n: 1, attempt: 1, env: { v: 1, id: 'm1', type: 'get', to: 'wl/w1', ts: 1, body: { type: 'get' } } });
    expect(await done).toMatchObject({ n: 1, reply: 41 });
    await ch.kill();
    expect(await ch.exited).toEqual({ reason: 'was terminated', code: KernelCodes.GUEST_EXITED });
  });

  it('worker launcher - env is the worker thread\'s own process.env, added to the node\'s and not leaking into it', async () => {
    const module = new URL('./fixtures/env-echo.ts', import.meta.url).pathname;
    const ch = await workerLauncher()({ mode: 'worker', module, export: 'EnvEcho', env: { CAIRN_TEST_GREETING: 'hej' } }, info, new AbortController().signal);
    const ready = nextFrame(ch, 'ready');
    ch.send({ t: 'init', v: HOST_PROTOCOL_VERSION, id: 'w1', site: 'wl', node: 'n1' });
    await ready;
    const ask = async (n: number, name: string) => {
      const done = nextFrame(ch, 'done');
      ch.send({ t: 'msg', n, attempt: 1, env: { v: 1, id: `m${n}`, type: 'env', to: 'wl/w1', ts: 1, body: { type: 'env', name } } });
      return ((await done) as { reply?: unknown }).reply;
    };
    expect(await ask(1, 'CAIRN_TEST_GREETING')).toBe('hej');
    expect(await ask(2, 'PATH')).toBe(process.env['PATH']);
    expect(process.env['CAIRN_TEST_GREETING']).toBeUndefined();
    await ch.kill();
  });

  it('worker launcher - a module without the export ends the worker with the reason', async () => {
    const ch = await launch(BEHAVIOURS_MODULE, 'NoSuchExport');
    const exit = await ch.exited;
    expect(exit.code).toBe(KernelCodes.GUEST_EXITED);
    expect(exit.reason).toMatch(/has no actor definition export "NoSuchExport"/);
  });

  it('worker launcher - a handler that exits the thread is reported with its exit code', async () => {
    const ch = await launch(BEHAVIOURS_MODULE, 'ConfCounter');
    const ready = nextFrame(ch, 'ready');
    ch.send({ t: 'init', v: HOST_PROTOCOL_VERSION, id: 'w1', site: 'wl', node: 'n1' });
    await ready;
    ch.send({ t: 'msg', n: 1, attempt: 1, env: { v: 1, id: 'm1', type: 'crash', to: 'wl/w1', ts: 1, body: { type: 'crash', how: 'exit' } } });
    expect(await ch.exited).toEqual({ reason: 'exited with code 3', code: KernelCodes.GUEST_EXITED });
  });
});

describe('worker mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it('worker mode - spawning a module without the export fails with CAIRN_GUEST_START_FAILED naming it', async () => {
    const sys = await createActorSystem({ servers: server.url, site: 'wm-a', node: 'n1' });
    try {
      sys.node.registerRuntime('worker', workerLauncher());
      const err = await sys.spawn(ConfCounter, { id: 'nope', runtime: { mode: 'worker', module: BEHAVIOURS_MODULE, export: 'Missing' } }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: KernelCodes.GUEST_START_FAILED });
      expect((err as Error).message).toMatch(/export "Missing"/);
    } finally {
      await sys.shutdown();
    }
  });

  it('worker mode - a node with no launcher for a mode refuses such actors with CAIRN_RUNTIME_UNAVAILABLE', async () => {
    // createActorSystem registers worker, process and container launchers; a bare node has none.
    const node = await ActorNode.connect({ servers: server.url, site: 'wm-b', node: 'n1' });
    const spawner = { spawn: () => Promise.reject(new Error('unused')), stop: () => Promise.resolve() };
    try {
      await node.start(spawner);
      const parent = { name: 'test', childExited: () => undefined };
      expect(() => node.createCell(ConfCounter, 'x', parent, { mode: 'worker', module: BEHAVIOURS_MODULE })).toThrow(expect.objectContaining({ code: KernelCodes.RUNTIME_UNAVAILABLE }));
    } finally {
      await node.stop();
    }
  });
});
