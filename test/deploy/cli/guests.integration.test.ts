import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerRuntime, createActorSystem, defaultRuntimes } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import { jsProcessSpec } from '../../../kernel/runtimes/index.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TestServer } from '../../helpers/nats.ts';
import { CONTAINER_ACTORS, EnvEcho, testDocker } from '../../helpers/docker.ts';
import { jsContainerSpec } from '../../../kernel/runtimes/container-launcher.ts';
import { runBin } from './cli-harness.ts';

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

  it('cairn logs - prints what a container-mode actor wrote to stderr', async () => {
    await testDocker();
    const echo = await sys.spawn(EnvEcho, { id: 'boxed', runtime: jsContainerSpec(CONTAINER_ACTORS, 'EnvEcho') });
    await echo.ask({ type: 'say', line: 'hello from the container' }, { timeout: 20_000 });
    await expect.poll(async () => (await runBin(['logs', 'boxed', '--server', server.url, '--site', 'guests'])).stdout, { timeout: 10_000 }).toContain('hello from the container');
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
