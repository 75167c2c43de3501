// createActorSystem's `runtimes`: which execution modes a system offers, installed when it starts.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActorSystem, defaultRuntimes, processRuntime, workerRuntime } from '../../supervisor-trees/index.ts';
import { defineActor } from '../../kernel/index.ts';
import type { Runtime } from '../../supervisor-trees/index.ts';
import { KernelCodes } from '../../protocols/index.ts';
import { startTestServer } from '../helpers/nats.ts';
import type { TestServer } from '../helpers/nats.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./fixtures/dockerode-loaded.mjs', import.meta.url));
const Echo = defineActor({ name: 'echo', receive: (msg: { type: string }) => msg.type });

let server: TestServer;
let n = 0;
const site = (): string => `rt${++n}`;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.cleanup();
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (err: unknown) => (err as { code?: string }).code,
  );
}

describe('createActorSystem runtimes', () => {
  it('runtimes - by default a system offers worker and process, not container, and says how to add it', async () => {
    const system = await createActorSystem({ servers: server.url, site: site(), node: 'n1' });
    try {
      const err = await system.spawn(Echo, { id: 'boxed', runtime: { mode: 'container', image: 'cairn-base:local', cmd: ['true'] } }).catch((e: unknown) => e as Error & { code?: string });
      expect(err).toMatchObject({ code: KernelCodes.RUNTIME_UNAVAILABLE });
      expect((err as Error).message).toContain('containerRuntime()');
      expect((err as Error).message).toContain('inline, worker, process');
    } finally {
      await system.shutdown();
    }
  });

  it('runtimes - an empty list offers inline only', async () => {
    const system = await createActorSystem({ servers: server.url, site: site(), node: 'n1', runtimes: [] });
    try {
      expect(await codeOf(system.spawn(Echo, { id: 'w', runtime: { mode: 'worker', module: 'file:///nowhere/echo.mjs' } }))).toBe(KernelCodes.RUNTIME_UNAVAILABLE);
      const inline = await system.spawn(Echo, { id: 'i' });
      expect(await inline.ask({ type: 'ping' })).toBe('ping');
    } finally {
      await system.shutdown();
    }
  });

  it('runtimes - each runtime is installed on the node before the system starts', async () => {
    const installed: string[] = [];
    const spy = (inner: Runtime): Runtime => ({ mode: inner.mode, install: async (node) => (installed.push(`${inner.mode}@${node.id}`), inner.install(node)) });
    const system = await createActorSystem({ servers: server.url, site: site(), node: 'n7', runtimes: [spy(workerRuntime()), spy(processRuntime())] });
    try {
      expect(installed).toEqual(['worker@n7', 'process@n7']);
      expect(system.node.hasRuntime('process')).toBe(true);
      expect(system.node.hasRuntime('container')).toBe(false);
    } finally {
      await system.shutdown();
    }
  });

  it('runtimes - a mode given twice, or guestRegistryDir beside runtimes, is refused with INVALID_OPTION', async () => {
    expect(await codeOf(createActorSystem({ servers: server.url, site: site(), node: 'n1', runtimes: [workerRuntime(), workerRuntime()] }))).toBe(KernelCodes.INVALID_OPTION);
    expect(await codeOf(createActorSystem({ servers: server.url, site: site(), node: 'n1', runtimes: defaultRuntimes(), guestRegistryDir: '/tmp/x' }))).toBe(KernelCodes.INVALID_OPTION);
  });

  it('runtimes - a system with the defaults never loads dockerode; one with containerRuntime() does', async () => {
    const loaded = async (...args: string[]): Promise<number> => {
      const { stdout } = await run(process.execPath, [SCRIPT, ...args], { env: { ...process.env, CAIRN_SERVER: server.url }, timeout: 30_000 });
      return (JSON.parse(stdout) as { dockerode: number }).dockerode;
    };
    expect(await loaded()).toBe(0);
    expect(await loaded('containers')).toBeGreaterThan(0);
  }, 60_000);
});
