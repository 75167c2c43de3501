import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CairnClient } from '../../../client/index.ts';
import { freePorts } from '../../../deploy/nats-server/index.ts';
import { isProcessAlive } from '../../../deploy/embedded/index.ts';
import { startBin } from './cli-harness.ts';
import type { BinProcess } from './cli-harness.ts';

const procs: BinProcess[] = [];
let dir: string | undefined;
afterEach(async () => {
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
