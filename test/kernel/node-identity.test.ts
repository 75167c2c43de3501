import { describe, expect, it } from 'vitest';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { defaultNodeIds, idVerdict } from '../../kernel/index.ts';
import { KernelCodes, isCairnError } from '../../protocols/index.ts';
import { serverForFile } from '../helpers/server-for-file.ts';
import type { TestServer } from '../helpers/nats.ts';
import { Counter } from '../helpers/actors.ts';

let server: TestServer;
serverForFile((s) => {
  server = s;
});

const seen = (revision: number, heartbeatMs = 1_000) => ({ revision, record: { pid: 42, heartbeatMs } });

describe('node identity', () => {
  it('idVerdict - an id nobody registered is free; a record rewritten while watched is a live process', () => {
    expect(idVerdict(undefined, undefined, 0)).toEqual({ verdict: 'free', stale: false });
    expect(idVerdict(seen(7), seen(8), 300)).toEqual({ verdict: 'in-use', pid: 42 });
    // Deleted meanwhile: its node left cleanly.
    expect(idVerdict(seen(7), undefined, 300)).toEqual({ verdict: 'free', stale: false });
  });

  it('idVerdict - a record unchanged for two of its heartbeats (and a bit) is an earlier run that is gone; before that, watch', () => {
    expect(idVerdict(seen(7, 1_000), seen(7, 1_000), 0)).toEqual({ verdict: 'watch', inMs: 250 });
    expect(idVerdict(seen(7, 1_000), seen(7, 1_000), 2_100)).toEqual({ verdict: 'watch', inMs: 150 });
    expect(idVerdict(seen(7, 1_000), seen(7, 1_000), 2_250)).toEqual({ verdict: 'free', stale: true });
  });

  it('node identity - a second process given a live node\'s id is refused with CAIRN_NODE_ID_IN_USE, and the first keeps leading undisturbed', async () => {
    const first = await createActorSystem({ servers: server.url, site: 'twins', node: 'n1', heartbeatMs: 200 });
    try {
      const counter = await first.spawn(Counter, { id: 'c' });
      const err = await createActorSystem({ servers: server.url, site: 'twins', node: 'n1', heartbeatMs: 200 }).then(
        (second: ActorSystem) => second.shutdown().then(() => undefined),
        (e: unknown) => e,
      );
      expect(isCairnError(err, KernelCodes.NODE_ID_IN_USE)).toBe(true);
      expect((err as Error).message).toContain(`pid ${process.pid}`);
      expect(first.node.role).toBe('leader');
      await counter.tell({ type: 'inc', by: 2 });
      expect(await counter.ask({ type: 'get' })).toBe(2);
    } finally {
      await first.shutdown();
    }
  });

  it('node identity - two processes given the same id at the same instant: one runs as it, the other is refused', async () => {
    for (let round = 0; round < 3; round++) {
      const site = `same-instant-${round}`;
      const both = await Promise.allSettled([0, 1].map(() => createActorSystem({ servers: server.url, site, node: 'twin', heartbeatMs: 200 })));
      const running = both.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const refused = both.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      try {
        expect(running).toHaveLength(1);
        expect(refused).toHaveLength(1);
        expect(isCairnError(refused[0], KernelCodes.NODE_ID_IN_USE), String(refused[0])).toBe(true);
        expect(running[0]!.node.role).toBe('leader');
      } finally {
        for (const sys of running) await sys.shutdown();
      }
    }
  });

  it('node identity - without an id, a second process on the same host takes the host name with its pid and waits as a standby', async () => {
    const [host, withPid] = defaultNodeIds();
    const first = await createActorSystem({ servers: server.url, site: 'defaults', heartbeatMs: 200 });
    try {
      expect(first.node.id).toBe(host);
      let standbyOf: string | undefined;
      const second = createActorSystem({ servers: server.url, site: 'defaults', heartbeatMs: 200, onStandby: (leader) => (standbyOf = leader) });
      await expect.poll(() => standbyOf, { timeout: 10_000 }).toBe(host);
      expect(first.node.role).toBe('leader');
      await first.shutdown();
      const took = await second;
      expect(took.node.id).toBe(withPid);
      await took.shutdown();
    } finally {
      await first.shutdown();
    }
  });

  it('node identity - a node whose earlier run died without leaving gets its id back once the old record is seen to be stale, and leads at once', async () => {
    // A lease that would take ten minutes to expire: only a claim as the same node can lead in time.
    const crashed = await createActorSystem({ servers: server.url, site: 'reborn', node: 'n1', heartbeatMs: 200, leaseTtlMs: 600_000 });
    // A crash: the connection goes, nothing is cleaned up (the registry record and the lease stay).
    await crashed.node.nc.close();
    const reborn = await createActorSystem({ servers: server.url, site: 'reborn', node: 'n1', heartbeatMs: 200, leaseTtlMs: 600_000 });
    try {
      expect(reborn.node.id).toBe('n1');
      expect(reborn.node.role).toBe('leader');
    } finally {
      await reborn.shutdown();
      await crashed.shutdown().catch(() => undefined);
    }
  });
});
