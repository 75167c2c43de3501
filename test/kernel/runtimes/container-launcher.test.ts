import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerRuntime, createActorSystem, defaultRuntimes } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import { KernelCodes } from '../../../protocols/index.ts';
import { REPO_DIR, cleanupOrphanContainers, containerLauncher, containerLogs, jsContainerSpec } from '../../../kernel/runtimes/container-launcher.ts';
import { startTestServer, type TestServer } from '../../helpers/nats.ts';
import { Counter, PersistentCounter, eventLog } from '../../helpers/actors.ts';
import { CONTAINER_ACTORS, EnvEcho, FileReader, MemoryHog, cairnContainers, testDocker } from '../../helpers/docker.ts';

const ACTORS = 'test/helpers/actors.ts';
let server: TestServer;
let docker: Dockerode;

beforeAll(async () => {
  docker = await testDocker();
  server = await startTestServer();
});
afterAll(async () => {
  await server?.cleanup();
});

/** A system whose node runs container actors; checks on the way out that none is left behind. */
async function withSystem(site: string, body: (sys: ActorSystem) => Promise<void>): Promise<void> {
  const sys = await createActorSystem({ runtimes: [...defaultRuntimes(), containerRuntime()], servers: server.url, site, node: 'n1', orphanTimeoutMs: 2_000 });
  sys.node.registerRuntime('container', containerLauncher({ docker }));
  try {
    await body(sys);
  } finally {
    await sys.shutdown();
  }
  expect(await cairnContainers(docker, site)).toEqual([]);
}

describe('container launcher', () => {
  it('container launcher - a JS counter in a container answers tell/ask and keeps persisted state across a restart', async () => {
    await withSystem('ct-counter', async (sys) => {
      const runtime = jsContainerSpec(ACTORS, 'PersistentCounter');
      const ref = await sys.spawn(PersistentCounter, { id: 'pc', runtime });
      await ref.tell({ type: 'inc', by: 2 });
      await ref.tell({ type: 'inc', by: 5 });
      expect(await ref.ask({ type: 'get' }, { timeout: 10_000 })).toBe(7);
      const info = sys.ps().actors.find((a) => a.id === 'pc');
      expect(info).toMatchObject({ mode: 'container', guest: expect.stringMatching(/^container [0-9a-f]{12}$/) });
      const [running] = await cairnContainers(docker, 'ct-counter');
      expect(running?.Labels).toMatchObject({ 'cairn.site': 'ct-counter', 'cairn.node': 'n1', 'cairn.actor': 'pc', 'cairn.managed': 'true' });

      await sys.stop('pc');
      expect(await cairnContainers(docker, 'ct-counter')).toEqual([]);
      const again = await sys.spawn(PersistentCounter, { id: 'pc', runtime });
      expect(await again.ask({ type: 'get' }, { timeout: 10_000 })).toBe(7);
      expect(sys.ps().actors.find((a) => a.id === 'pc')?.guest).not.toBe(info?.guest);
    });
  });

  it('container launcher - env from the spec and the actor identity are visible to the actor', async () => {
    await withSystem('ct-env', async (sys) => {
      const ref = await sys.spawn(EnvEcho, { id: 'echo', runtime: jsContainerSpec(CONTAINER_ACTORS, 'EnvEcho', { env: { GREETING: 'hello from the node' } }) });
      expect(await ref.ask({ type: 'env', name: 'GREETING' }, { timeout: 10_000 })).toBe('hello from the node');
      expect(await ref.ask({ type: 'env', name: 'CAIRN_ACTOR' })).toBe('echo');
      expect(await ref.ask({ type: 'env', name: 'CAIRN_SITE' })).toBe('ct-env');
      expect(await ref.ask({ type: 'env', name: 'CAIRN_NODE' })).toBe('n1');
      // The node's own environment does not leak in.
      expect(await ref.ask({ type: 'env', name: 'VITEST' })).toBeNull();
    });
  });

  it('container launcher - a guest over its memory limit is OOM-killed, reported as CAIRN_GUEST_OOM and restarted', async () => {
    await withSystem('ct-oom', async (sys) => {
      const log = eventLog((l) => sys.onEvent(l));
      const ref = await sys.spawn(MemoryHog, { id: 'hog', runtime: jsContainerSpec(CONTAINER_ACTORS, 'MemoryHog', { limits: { memoryMb: 64 } }) });
      expect(await ref.ask({ type: 'ping' }, { timeout: 10_000 })).toBe('pong');
      await ref.tell({ type: 'hog' });
      const crashed = await log.next((e) => e.type === 'crashed' && e.actor === 'hog', 30_000);
      expect(crashed).toMatchObject({ code: KernelCodes.GUEST_OOM, reason: expect.stringContaining('OOMKilled (memory limit 64 MB)') });
      await log.next((e) => e.type === 'started' && e.actor === 'hog' && e.restarts === 1, 30_000);
      expect(await ref.ask({ type: 'ping' }, { timeout: 10_000 })).toBe('pong');
      log.stop();
    });
  });

  it('container launcher - cpus, memory and pids limits and the network mode are set on the container', async () => {
    await withSystem('ct-limits', async (sys) => {
      const runtime = jsContainerSpec(ACTORS, 'Counter', { limits: { cpus: 0.5, memoryMb: 128, pids: 64 } });
      const ref = await sys.spawn(Counter, { id: 'limited', runtime });
      expect(await ref.ask({ type: 'get' }, { timeout: 10_000 })).toBe(0);
      const [c] = await cairnContainers(docker, 'ct-limits');
      const { HostConfig, Config } = await docker.getContainer(c!.Id).inspect();
      expect(HostConfig).toMatchObject({ NanoCpus: 500_000_000, Memory: 128 * 1024 * 1024, MemorySwap: 128 * 1024 * 1024, PidsLimit: 64, NetworkMode: 'host' });
      expect(Config).toMatchObject({ OpenStdin: true, Tty: false, AttachStdin: true });
    });
  });

  it('container launcher - an image built from a directory with a Dockerfile runs the actor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-build-'));
    const image = `cairn-test-built:${process.pid}`;
    try {
      await writeFile(join(dir, 'Dockerfile'), 'FROM cairn-base:local\nCOPY greeting.txt /app/greeting.txt\n');
      await writeFile(join(dir, 'greeting.txt'), 'built into the image\n');
      await withSystem('ct-build', async (sys) => {
        const ref = await sys.spawn(FileReader, { id: 'reader', runtime: jsContainerSpec(CONTAINER_ACTORS, 'FileReader', { image, build: { context: dir } }) });
        expect(await ref.ask({ type: 'read', path: '/app/greeting.txt' }, { timeout: 10_000 })).toBe('built into the image\n');
      });
    } finally {
      await docker.getImage(image).remove({ force: true }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('container launcher - guest stderr is kept by the channel and readable with containerLogs', async () => {
    await withSystem('ct-logs', async (sys) => {
      const ref = await sys.spawn(EnvEcho, { id: 'talker', runtime: jsContainerSpec(CONTAINER_ACTORS, 'EnvEcho') });
      await ref.ask({ type: 'say', line: 'first line' }, { timeout: 10_000 });
      await ref.ask({ type: 'say', line: 'second line' });
      const lines = await containerLogs(docker, 'ct-logs', 'talker');
      expect(lines.slice(-2)).toEqual(['first line', 'second line']);
      expect(await containerLogs(docker, 'ct-logs', 'nobody')).toEqual([]);
    });
  });
});

describe('container launcher, direct', () => {
  const info = { site: 'ct-direct', node: 'n1', actor: 'direct' };

  it('container launcher - a missing image without build fails with CAIRN_GUEST_START_FAILED naming the image', async () => {
    const launch = containerLauncher({ docker });
    const err = await launch({ mode: 'container', image: 'cairn-no-such-image:1' }, info, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: KernelCodes.GUEST_START_FAILED, message: expect.stringContaining('"cairn-no-such-image:1"') });
    expect((err as Error).message).toContain('no registry');
  });

  it('container launcher - the channel reports usage, keeps stderr after the container is gone, and kill removes it', async () => {
    const launch = containerLauncher({ docker });
    const channel = await launch(jsContainerSpec(CONTAINER_ACTORS, 'EnvEcho'), info, new AbortController().signal);
    const ready = new Promise((resolve) => channel.onFrame(resolve));
    channel.send({ t: 'init', v: 1, id: info.actor, site: info.site, node: info.node });
    expect(await ready).toMatchObject({ t: 'ready' });
    const done = new Promise((resolve) => channel.onFrame((f) => f.t === 'done' && resolve(f)));
    channel.send({ t: 'msg', n: 1, attempt: 1, env: { v: 1, id: 'm1', type: 'say', to: 'ct-direct/direct', ts: Date.now(), body: { type: 'say', line: 'kept after exit' } } });
    await done;
    const usage = await channel.usage!();
    expect(usage?.memoryBytes).toBeGreaterThan(1024 * 1024);
    expect(usage?.cpuPercent).toBeGreaterThanOrEqual(0);
    await channel.kill();
    expect(await channel.exited).toMatchObject({ code: KernelCodes.GUEST_EXITED, reason: expect.stringContaining('code 137') });
    expect(await cairnContainers(docker, 'ct-direct')).toEqual([]);
    expect(await channel.logs!()).toContain('kept after exit');
    expect(await channel.usage!()).toBeUndefined();
  });

  it('container launcher - a guest whose node dies exits by itself and is removed by orphan cleanup', async () => {
    // A separate node process starts a guest and is SIGKILLed: nobody removes the container.
    const script = `
      import { containerLauncher, jsContainerSpec } from './kernel/runtimes/container-launcher.ts';
      const ch = await containerLauncher()(jsContainerSpec(${JSON.stringify(CONTAINER_ACTORS)}, 'EnvEcho'), { site: 'ct-dead-node', node: 'n9', actor: 'left' }, new AbortController().signal);
      ch.onFrame(() => { process.stdout.write(ch.describe.split(' ')[1], () => process.kill(process.pid, 'SIGKILL')); });
      ch.send({ t: 'init', v: 1, id: 'left', site: 'ct-dead-node', node: 'n9' });`;
    const child = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_DIR }).catch((e: { stdout: string; signal?: string }) => e);
    expect(child).toMatchObject({ signal: 'SIGKILL' });
    const id = child.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    // Its stdin closed with the node's connection: the guest ends without anyone killing it.
    expect(await docker.getContainer(id).wait()).toMatchObject({ StatusCode: 0 });
    expect((await cairnContainers(docker, 'ct-dead-node')).map((c) => c.Id.slice(0, 12))).toEqual([id]);
    expect(await cleanupOrphanContainers(docker, 'ct-dead-node', 'n9')).toHaveLength(1);
    expect(await cairnContainers(docker, 'ct-dead-node')).toEqual([]);
  });
});
