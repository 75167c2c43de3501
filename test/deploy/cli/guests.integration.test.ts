import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerRuntime, createActorSystem, defaultRuntimes } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import { jsProcessSpec } from '../../../kernel/runtimes/index.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TestServer } from '../../helpers/nats.ts';
import { CONTAINER_ACTORS, EnvEcho, testDocker } from '../../helpers/docker.ts';
import { jsContainerSpec } from '../../../kernel/runtimes/container-launcher.ts';
import { runBin, startBin } from './cli-harness.ts';
import type { EnvEchoMsg } from '../../helpers/docker.ts';

let server: TestServer;
let sys: ActorSystem;
beforeAll(async () => {
  server = await startTestServer();
  sys = await createActorSystem({ runtimes: [...defaultRuntimes(), containerRuntime()], servers: server.url, site: 'guests', node: 'n1', usageSampleMs: 100 });
});
afterAll(async () => {
  await sys?.shutdown();
  await server?.cleanup();
});

describe('cairn logs and ps for guests', () => {
  it('cairn logs - prints what a process-mode actor wrote to stderr', async () => {
    const echo = await sys.spawn(EnvEcho, { id: 'echo', runtime: jsProcessSpec(CONTAINER_ACTORS, 'EnvEcho') });
    await echo.ask({ type: 'say', line: 'hello from the guest' }, { timeout: 10_000 });
    await expect.poll(async () => (await runBin(['logs', 'echo', '--server', server.url, '--site', 'guests'])).stdout, { timeout: 10_000 }).toContain('hello from the guest');
    const missing = await runBin(['logs', 'nobody', '--server', server.url, '--site', 'guests']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CAIRN_CLI_ACTOR_NOT_RUNNING');
  });

  it('cairn logs -f - prints the recent lines, then each line as the guest writes it, once, through a restart, until Ctrl-C', async () => {
    const echo = sys.ref<EnvEchoMsg>('echo');
    const follow = startBin(['logs', 'echo', '-f', '--server', server.url, '--site', 'guests']);
    await follow.stdout.waitFor(/^hello from the guest$/, 15_000);
    await echo.ask({ type: 'say', line: 'live one' }, { timeout: 10_000 });
    await follow.stdout.waitFor(/^live one$/);
    // The guest process dies; its supervisor starts a new one, whose lines come the same way.
    const pid = Number(/^pid (\d+)$/.exec(sys.ps().actors.find((a) => a.id === 'echo')?.guest ?? '')?.[1]);
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => sys.ps().actors.find((a) => a.id === 'echo')?.restarts ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    await echo.ask({ type: 'say', line: 'after the restart' }, { timeout: 10_000 });
    await follow.stdout.waitFor(/^after the restart$/);
    follow.child.kill('SIGINT');
    expect((await follow.exited).code).toBe(0);
    expect(follow.stdout.lines.filter((l) => l === 'live one')).toHaveLength(1);
    expect(follow.stdout.lines.filter((l) => l === 'hello from the guest')).toHaveLength(1);
  }, 60_000);

  it('cairn logs - prints what a container-mode actor wrote to stderr', async () => {
    await testDocker();
    const echo = await sys.spawn(EnvEcho, { id: 'boxed', runtime: jsContainerSpec(CONTAINER_ACTORS, 'EnvEcho') });
    await echo.ask({ type: 'say', line: 'hello from the container' }, { timeout: 20_000 });
    await expect.poll(async () => (await runBin(['logs', 'boxed', '--server', server.url, '--site', 'guests'])).stdout, { timeout: 10_000 }).toContain('hello from the container');
    const follow = startBin(['logs', 'boxed', '--follow', '-o', 'json', '--server', server.url, '--site', 'guests']);
    await follow.stdout.waitFor(/hello from the container/, 15_000);
    await echo.ask({ type: 'say', line: 'followed from the container' }, { timeout: 20_000 });
    const live = JSON.parse(await follow.stdout.waitFor(/followed from the container/)) as Record<string, unknown>;
    expect(live).toMatchObject({ v: 1, site: 'guests', actor: 'boxed', node: 'n1', guest: expect.stringMatching(/^container [0-9a-f]{12}$/), line: 'followed from the container' });
    follow.child.kill('SIGTERM');
    expect((await follow.exited).code).toBe(0);
    await sys.stop('boxed');
  }, 60_000);

  it('cairn ps - shows the mode, the guest and its CPU and memory use', async () => {
    await expect.poll(() => sys.ps().actors.find((a) => a.id === 'echo')?.memoryBytes ?? 0, { timeout: 10_000 }).toBeGreaterThan(1_000_000);
    const ps = await runBin(['ps', '--server', server.url, '--site', 'guests', '--json']);
    const row = (JSON.parse(ps.stdout) as { id: string; mode: string; guest?: string; cpuPercent?: number; memoryBytes?: number }[]).find((a) => a.id === 'echo');
    expect(row).toMatchObject({ mode: 'process', guest: expect.stringMatching(/^pid \d+$/) });
    expect(row?.cpuPercent).toBeGreaterThanOrEqual(0);
    // The node registry carries the same figures in the node's heartbeat record.
    await expect
      .poll(async () => {
        const nodes = JSON.parse((await runBin(['nodes', '--server', server.url, '--site', 'guests', '--json'])).stdout) as { guests?: Record<string, { memoryBytes: number }> }[];
        return nodes[0]?.guests?.echo?.memoryBytes ?? 0;
      }, { timeout: 10_000 })
      .toBeGreaterThan(1_000_000);
    const table = await runBin(['ps', '--server', server.url, '--site', 'guests']);
    expect(table.stdout).toMatch(/MODE.*GUEST.*CPU.*MEM/);
    expect(table.stdout).toMatch(/echo .*process .*pid \d+ .*%.*MiB/);
  });
});
