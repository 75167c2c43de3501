import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CairnClient } from '../../../client/index.ts';
import { freePorts } from '../../../deploy/nats-server/index.ts';
import { isProcessAlive } from '../../../deploy/embedded/index.ts';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import { runBin, startBin } from './cli-harness.ts';
import type { BinProcess } from './cli-harness.ts';

const procs: BinProcess[] = [];
const systems: Promise<ActorSystem>[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const s of systems.splice(0)) await (await s.catch(() => undefined))?.shutdown().catch(() => undefined);
  for (const p of procs.splice(0)) {
    p.child.kill('SIGCONT');
    p.child.kill('SIGKILL');
    await p.exited;
  }
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('cairn site up losing its lease', () => {
  it('site up - a node that loses the lease keeps the site\'s nats-server running, waits as a standby and leads again when the other node stops', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-lease-loss-'));
    const [port, leafPort, edgePort] = await freePorts(3);
    await writeFile(join(dir, 'sites.yaml'), `apiVersion: cairn.dev/v1\nkind: Sites\ncloud: { port: ${port}, leafPort: ${leafPort} }\nedges:\n  - { name: edge1, port: ${edgePort} }\ndataDir: ./out\n`);
    const out = join(dir, 'out');
    const init = startBin(['site', 'init', '--file', join(dir, 'sites.yaml')]);
    expect((await init.exited).code).toBe(0);

    const a = startBin(['site', 'up', 'cloud', '--data-dir', out, '--node', 'a']);
    procs.push(a);
    await a.stdout.waitFor(/^ready: site cloud/, 30_000);
    const serverPid = Number(/nats-server\s+pid (\d+)/.exec(a.stdout.lines.join('\n'))?.[1]);
    expect(isProcessAlive(serverPid)).toBe(true);
    const b = startBin(['site', 'join', 'cloud', '--data-dir', out, '--node', 'b']);
    procs.push(b);
    await b.stdout.waitFor(/^standby: node a leads site cloud/, 30_000);

    // a stops answering (a hung process): b takes the lease once it is not renewed for its ttl.
    a.child.kill('SIGSTOP');
    await b.stdout.waitFor(/^ready: node b leads site cloud/, 30_000);
    a.child.kill('SIGCONT');
    await a.stderr.waitFor(/lost the site lease and stopped its actors.*nats-server keeps running/, 30_000);
    await a.stdout.waitFor(/^standby: node b leads site cloud/, 30_000);
    // The site goes on under b, on the server a started.
    expect(isProcessAlive(serverPid)).toBe(true);
    const client = await CairnClient.connect({ servers: `nats://127.0.0.1:${port}`, site: 'cloud' });
    try {
      await expect.poll(async () => (await client.listNodes()).map((n) => [n.id, n.role]), { timeout: 10_000 }).toEqual([['a', 'standby'], ['b', 'leader']]);
    } finally {
      await client.close();
    }

    b.child.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
    await a.stdout.waitFor(/^ready: node a leads the site again/, 30_000);
    a.child.kill('SIGINT');
    expect((await a.exited).code).toBe(0);
    expect(isProcessAlive(serverPid)).toBe(false);
  }, 120_000);
});

describe('cairn up losing its lease', () => {
  it("cairn up - a node that loses the lease to another node of its site keeps nats-server running, waits as a standby and leads again (example included) when the other stops", async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-up-lease-loss-'));
    const [port] = await freePorts(1);
    const up = startBin(['up', '--data-dir', dir, '--port', String(port)]);
    procs.push(up);
    await up.stdout.waitFor(/^ready: site local/, 30_000);
    const url = `nats://127.0.0.1:${port}`;
    const serverPid = Number(/nats-server\s+v\S+ \(.*\), pid (\d+)/.exec(up.stdout.lines.join('\n'))?.[1]);
    expect(isProcessAlive(serverPid)).toBe(true);

    // A program's node of the same site waits as a standby while cairn up leads; cairn up then
    // stops answering (a hung process) and the program's node takes the lease.
    const other = createActorSystem({ servers: url, site: 'local', node: 'program' });
    systems.push(other);
    up.child.kill('SIGSTOP');
    const program = await other;
    up.child.kill('SIGCONT');
    await up.stderr.waitFor(/lost the site lease and stopped its actors.*nats-server keeps running/, 30_000);
    await up.stdout.waitFor(/^standby: node program leads site local/, 30_000);
    expect(isProcessAlive(serverPid)).toBe(true);
    expect(up.child.exitCode).toBeNull();

    // The program's node stops: cairn up's leads again, on the same server, with its example.
    await program.shutdown();
    await up.stdout.waitFor(/^ready: node \S+ leads the site again/, 30_000);
    const ask = await runBin(['ask', '--server', url, 'greeter', '{"type":"greet","name":"Ada"}']);
    expect(ask.code, ask.stderr).toBe(0);
    expect(ask.stdout).toContain('Ada');
    up.child.kill('SIGINT');
    expect((await up.exited).code).toBe(0);
    expect(isProcessAlive(serverPid)).toBe(false);
  }, 120_000);
});
