// Orphan cleanup: guests a crashed node left running are killed at the next start, and only they.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupOrphans, readRegistry, registryFile } from '../../../kernel/runtimes/index.ts';
import { isAlive, readProcStat } from '../../../kernel/runtimes/process-usage.ts';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import { startTestServer, type TestServer } from '../../helpers/nats.ts';

const ORPHAN_NODE = fileURLToPath(new URL('./fixtures/orphan-node.ts', import.meta.url));

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), 'cairn-orphans-'));
});
afterAll(async () => {
  await server?.cleanup();
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
});

/** Waits (bounded) for a process that is not our child to be gone: nothing signals that. */
async function gone(pid: number, startTime: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(pid, startTime)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('orphan cleanup', () => {
  it('orphan cleanup - after kill -9 of a node, the JS guest exits by itself and cleanupOrphans kills the guest that did not', async () => {
    const node = spawn(process.execPath, ['--import', 'tsx', ORPHAN_NODE, server.url, dir, 'orph'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const nodeExit = new Promise((r) => node.once('exit', r));
    try {
      const lines = createInterface({ input: node.stdout });
      await new Promise<void>((resolve, reject) => {
        lines.on('line', (l) => l === 'ready' && resolve());
        node.once('exit', (code) => reject(new Error(`node fixture exited with ${code} before it was ready`)));
      });
      const guests = await readRegistry(dir, 'orph', 'orphan-node');
      expect(guests.map((g) => g.actor).sort()).toEqual(['js-guest', 'stubborn']);
      const js = guests.find((g) => g.actor === 'js-guest')!;
      const stubborn = guests.find((g) => g.actor === 'stubborn')!;

      node.kill('SIGKILL');
      await nodeExit;
      // The JavaScript guest sees its stdin close and exits; the stubborn one stays.
      expect(await gone(js.pid, js.startTime)).toBe(true);
      expect(await isAlive(stubborn.pid, stubborn.startTime)).toBe(true);

      const result = await cleanupOrphans(dir, 'orph', 'orphan-node');
      expect(result.killed.map((g) => g.actor)).toEqual(['stubborn']);
      expect(result.gone.map((g) => g.actor)).toEqual(['js-guest']);
      expect(await isAlive(stubborn.pid)).toBe(false);
      expect(await readRegistry(dir, 'orph', 'orphan-node')).toEqual([]);
      await expect(stat(registryFile(dir, 'orph', 'orphan-node'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      node.kill('SIGKILL');
      await nodeExit;
    }
  });

  it('orphan cleanup - when the crashed node comes back, createActorSystem kills the guests it left', async () => {
    const node = spawn(process.execPath, ['--import', 'tsx', ORPHAN_NODE, server.url, dir, 'back'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const nodeExit = new Promise((r) => node.once('exit', r));
    const lines = createInterface({ input: node.stdout });
    await new Promise<void>((resolve, reject) => {
      lines.on('line', (l) => l === 'ready' && resolve());
      node.once('exit', (code) => reject(new Error(`node fixture exited with ${code} before it was ready`)));
    });
    const stubborn = (await readRegistry(dir, 'back', 'orphan-node')).find((g) => g.actor === 'stubborn')!;
    node.kill('SIGKILL');
    await nodeExit;
    expect(await isAlive(stubborn.pid, stubborn.startTime)).toBe(true);
    // The same node (site and id) starting again, as an operator or systemd would restart it.
    const again = await createActorSystem({ servers: server.url, site: 'back', node: 'orphan-node', guestRegistryDir: dir });
    try {
      expect(await isAlive(stubborn.pid, stubborn.startTime)).toBe(false);
      expect(await readRegistry(dir, 'back', 'orphan-node')).toEqual([]);
    } finally {
      await again.shutdown();
    }
  });

  it('orphan cleanup - a recorded pid now used by another process (other start time) is left alone', async () => {
    const child = spawn('/bin/sleep', ['60'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      const real = (await readProcStat(child.pid!))!;
      const write = (startTime: string) =>
        mkdir(dir, { recursive: true }).then(() =>
          writeFile(registryFile(dir, 'recy', 'n1'), JSON.stringify({ v: 1, guests: [{ pid: child.pid, startTime, site: 'recy', node: 'n1', actor: 'old', command: 'x' }] })),
        );
      await write(String(Number(real.startTime) - 1));
      expect(await cleanupOrphans(dir, 'recy', 'n1')).toMatchObject({ killed: [], gone: [{ actor: 'old' }] });
      expect(await isAlive(child.pid!)).toBe(true);

      await write(real.startTime);
      expect(await cleanupOrphans(dir, 'recy', 'n1')).toMatchObject({ killed: [{ actor: 'old' }], gone: [] });
      await exited;
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('orphan cleanup - a node without a registry file has nothing to clean', async () => {
    expect(await cleanupOrphans(dir, 'none', 'n1')).toEqual({ killed: [], gone: [] });
  });
});
