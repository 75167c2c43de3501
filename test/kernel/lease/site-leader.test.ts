import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kvm } from '@nats-io/kv';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import { Buckets, KernelCodes, decodeValue } from '../../../protocols/index.ts';
import type { NodeRecord } from '../../../protocols/index.ts';
import { startTestServer, type TestServer } from '../../helpers/nats.ts';
import { PersistentCounter } from '../../helpers/actors.ts';
import type { CounterMsg } from '../../helpers/actors.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.cleanup();
});

const FAST = { heartbeatMs: 200, leaseTtlMs: 1_000, orphanTimeoutMs: 30_000 } as const;

/** Starts a node; resolves `standby` with the leader's id if it has to wait as a standby. */
function startNode(site: string, node: string, signal?: AbortSignal): { system: Promise<ActorSystem>; standby: Promise<string> } {
  let onStandby!: (leader: string) => void;
  const standby = new Promise<string>((r) => (onStandby = r));
  const system = createActorSystem({ servers: server.url, site, node, ...FAST, onStandby, ...(signal ? { signal } : {}) });
  return { system, standby };
}

async function roleOf(sys: ActorSystem, node: string): Promise<string | undefined> {
  const kv = await new Kvm(sys.node.nc).open(Buckets.nodes(sys.site));
  const entry = await kv.get(node);
  return entry?.operation === 'PUT' ? (decodeValue(entry.value) as NodeRecord).role : undefined;
}

describe('site leader', () => {
  it('a second node of a site waits as standby and registers as one', async () => {
    const a = await startNode('lead-a', 'a').system;
    const b = startNode('lead-a', 'b');
    try {
      expect(await b.standby).toBe('a');
      expect(await roleOf(a, 'a')).toBe('leader');
      // b is registered (heartbeating) while it waits: `cairn nodes` lists it.
      let role: string | undefined;
      for (let i = 0; i < 50 && role === undefined; i++) {
        role = await roleOf(a, 'b');
        if (role === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(role).toBe('standby');
    } finally {
      await a.shutdown();
      await (await b.system).shutdown();
    }
  });

  it('a graceful stop hands the site to the standby at once, with the messages the leader had not handled', async () => {
    const a = await startNode('lead-b', 'a').system;
    const counter = await a.spawn(PersistentCounter, { id: 'counter' });
    await counter.tell({ type: 'inc', by: 1 });
    expect(await counter.ask({ type: 'get' }, { timeout: 5_000 })).toBe(1);
    await a.stop('counter');
    // Sent while nobody runs the counter: they wait in the site's mailbox.
    for (let i = 0; i < 5; i++) await a.ref<CounterMsg>('counter').tell({ type: 'inc', by: 10 });
    const b = startNode('lead-b', 'b');
    expect(await b.standby).toBe('a');
    await a.shutdown();
    const sysB = await b.system;
    try {
      expect(sysB.node.role).toBe('leader');
      const ref = await sysB.spawn(PersistentCounter, { id: 'counter' });
      expect(await ref.ask({ type: 'get' }, { timeout: 5_000 })).toBe(51);
    } finally {
      await sysB.shutdown();
    }
  });

  it('a standby takes over a leader whose connection is gone, and the old leader stops with CAIRN_LEASE_LOST', async () => {
    const a = await startNode('lead-c', 'a').system;
    await a.spawn(PersistentCounter, { id: 'counter' });
    const b = startNode('lead-c', 'b');
    expect(await b.standby).toBe('a');
    // The leader's connection closes for good without a goodbye: it can neither renew nor release.
    await a.node.nc.close();
    const sysB = await b.system;
    try {
      expect(sysB.node.role).toBe('leader');
      const exit = await a.done;
      expect(exit).toMatchObject({ type: 'error', code: KernelCodes.LEASE_LOST });
      const ref = await sysB.spawn(PersistentCounter, { id: 'counter' });
      await ref.tell({ type: 'inc', by: 2 });
      expect(await ref.ask({ type: 'get' }, { timeout: 5_000 })).toBe(2);
    } finally {
      await sysB.shutdown();
      await a.shutdown();
    }
  });

  it('a standby told to give up rejects with CAIRN_ABORTED and unregisters', async () => {
    const a = await startNode('lead-d', 'a').system;
    const ac = new AbortController();
    const b = startNode('lead-d', 'b', ac.signal);
    try {
      expect(await b.standby).toBe('a');
      ac.abort();
      await expect(b.system).rejects.toMatchObject({ code: KernelCodes.ABORTED });
      expect(await roleOf(a, 'b')).toBeUndefined();
    } finally {
      await a.shutdown();
    }
  });

  it('a restarted node with the same id takes its own lease back at once', async () => {
    const first = await startNode('lead-e', 'a').system;
    await first.node.nc.close(); // gone without releasing: its lease record stays
    const again = startNode('lead-e', 'a');
    const sys = await again.system; // would wait the ttl (or forever) if it treated its old run as another node
    try {
      expect(sys.node.role).toBe('leader');
    } finally {
      await sys.shutdown();
      await first.shutdown();
    }
  });
});

describe('site leader across a restart of its server', () => {
  it('a lone leader keeps leading while its nats-server restarts, and handles messages after', async () => {
    const own = await startTestServer();
    try {
      const sys = await createActorSystem({ servers: own.url, site: 'lead-f', node: 'a', ...FAST });
      try {
        const counter = await sys.spawn(PersistentCounter, { id: 'counter' });
        await counter.tell({ type: 'inc', by: 1 });
        expect(await counter.ask({ type: 'get' }, { timeout: 5_000 })).toBe(1);
        await own.stop();
        // Down for well over the lease ttl (1 s here): no standby exists, so nobody else can lead.
        await new Promise((r) => setTimeout(r, 2_500));
        await own.restart();
        // Until the client has reconnected and JetStream has recovered its streams, a tell times
        // out; retried with the same id, it is stored once.
        await expect.poll(() => counter.tell({ type: 'inc', by: 2 }, { id: 'after-restart' }).then(() => true, () => false), { timeout: 30_000, interval: 250 }).toBe(true);
        await expect.poll(() => counter.ask({ type: 'get' }, { timeout: 2_000 }).catch(() => -1), { timeout: 30_000, interval: 250 }).toBe(3);
        expect(sys.node.role).toBe('leader');
      } finally {
        await sys.shutdown();
      }
    } finally {
      await own.cleanup();
    }
  }, 60_000);
});
