// Process mode in a running system: guests killed from outside, restart types, start failures.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import type { RestartType } from '../../../kernel/index.ts';
import { processLauncher } from '../../../kernel/runtimes/index.ts';
import { KernelCodes } from '../../../protocols/index.ts';
import { startTestServer, type TestServer } from '../../helpers/nats.ts';
import { Counter, eventLog } from '../../helpers/actors.ts';
import { RemoteConfCounter } from '../../conformance/behaviours.ts';
import { PYTHON_COUNTER } from '../../conformance/modes.ts';

let server: TestServer;
let registryDir: string;
beforeAll(async () => {
  server = await startTestServer();
  registryDir = await mkdtemp(join(tmpdir(), 'cairn-pm-'));
});
afterAll(async () => {
  await server?.cleanup();
  await rm(registryDir, { recursive: true, force: true, maxRetries: 3 });
});

const PY = { mode: 'process', command: '/usr/bin/python3', args: [PYTHON_COUNTER] } as const;

async function withSystem(site: string, fn: (sys: ActorSystem, events: ReturnType<typeof eventLog>) => Promise<void>): Promise<void> {
  const sys = await createActorSystem({ servers: server.url, site, node: 'n1', orphanTimeoutMs: 2_000 });
  sys.node.registerRuntime('process', processLauncher({ registryDir, log: sys.node.log }));
  const events = eventLog((l) => sys.onEvent(l));
  try {
    await fn(sys, events);
  } finally {
    events.stop();
    await sys.shutdown();
  }
}

function guestPid(sys: ActorSystem, id: string): number {
  const guest = sys.ps().actors.find((a) => a.id === id)?.guest;
  if (!guest?.startsWith('pid ')) throw new Error(`actor ${id} has no guest process (ps says ${guest})`);
  return Number(guest.slice(4));
}

async function spawnAndKill(sys: ActorSystem, events: ReturnType<typeof eventLog>, id: string, restart: RestartType) {
  const ref = await sys.spawn(RemoteConfCounter, { id, runtime: PY, restart });
  await ref.tell({ type: 'inc', by: 5 });
  expect(await ref.ask({ type: 'get' }, { timeout: 10_000 })).toBe(5);
  const pid = guestPid(sys, id);
  process.kill(pid, 'SIGKILL');
  const crashed = await events.next((e) => e.type === 'crashed' && e.actor === id);
  return { ref, pid, crashed };
}

describe('process mode', () => {
  it('process mode - kill -9 of an idle guest is reported to the supervisor with the reason, and a transient actor is restarted', async () => {
    await withSystem('pm-a', async (sys, events) => {
      const { ref, pid, crashed } = await spawnAndKill(sys, events, 'victim', 'transient');
      expect(crashed).toMatchObject({ code: KernelCodes.GUEST_EXITED });
      expect((crashed as { reason: string }).reason).toBe(`guest pid ${pid} killed by SIGKILL`);
      await events.next((e) => e.type === 'started' && e.actor === 'victim' && e.restarts === 1);
      expect(guestPid(sys, 'victim')).not.toBe(pid);
      // Persisted state comes back with the new guest.
      expect(await ref.ask({ type: 'get' }, { timeout: 10_000 })).toBe(5);
    });
  });

  it('process mode - a temporary actor whose guest is killed is not restarted', async () => {
    await withSystem('pm-b', async (sys, events) => {
      await spawnAndKill(sys, events, 'once', 'temporary');
      // The root handles exits and spawns one at a time, in order: once this spawn is done the
      // crash has been dealt with.
      await sys.spawn(Counter, { id: 'probe' });
      expect(sys.ps().actors.map((a) => a.id)).toEqual(['probe']);
      expect(events.count((e) => e.type === 'started' && e.actor === 'once')).toBe(1);
    });
  });

  it('process mode - a guest killed while handling a message is a crash; the message is retried by the next incarnation', async () => {
    await withSystem('pm-c', async (sys, events) => {
      const ref = await sys.spawn(RemoteConfCounter, { id: 'mid', runtime: PY });
      const answer = ref.ask({ type: 'crash', how: 'exit' }, { timeout: 20_000 });
      const crashed = await events.next((e) => e.type === 'crashed' && e.actor === 'mid');
      expect((crashed as { reason: string }).reason).toMatch(/^Error: guest pid \d+ exited with code 3$/);
      expect(await answer).toBe('survived');
    });
  });

  it('process mode - a guest whose command does not exist fails to start with CAIRN_GUEST_START_FAILED naming the command', async () => {
    await withSystem('pm-d', async (sys) => {
      const err = await sys.spawn(RemoteConfCounter, { id: 'ghost', runtime: { mode: 'process', command: 'cairn-no-such-guest' } }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: KernelCodes.GUEST_START_FAILED });
      expect((err as Error).message).toContain('"cairn-no-such-guest"');
      expect(sys.ps().actors).toEqual([]);
    });
  });

  it('process mode - a guest that exits before it is ready fails to start with its exit and last stderr line', async () => {
    await withSystem('pm-e', async (sys) => {
      const runtime = { mode: 'process', command: '/usr/bin/python3', args: ['-c', 'import sys; print("bad config", file=sys.stderr); sys.exit(5)'] } as const;
      const err = await sys.spawn(RemoteConfCounter, { id: 'early', runtime }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: KernelCodes.GUEST_START_FAILED });
      expect((err as Error).message).toMatch(/exited with code 5; last stderr: bad config/);
    });
  });
});
