// Placement over the nodes of one site, executed: the site's leader starts each instance on the
// node placement picks (label selectors, one-per-node spreads), as a guest of that node, and moves
// it when that node dies. Nodes here are actor systems in this process on one real nats-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest, deleteApp, getApps, startAppController } from '../../control-plane/index.ts';
import type { AppController } from '../../control-plane/index.ts';
import { connect } from '@nats-io/transport-node';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem, SystemOptions } from '../../supervisor-trees/index.ts';
import { startTestServer, type TestServer } from '../helpers/nats.ts';
import type { LedgerMsg } from '../fixtures/ledger.ts';
import { ledgerApp } from '../fixtures/ledger-app.ts';


let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.cleanup();
});

interface Site {
  leader: ActorSystem;
  controller: AppController;
  /** A standby goes away without a word: its connection drops (no heartbeat, no goodbye) and its guests die. */
  kill(node: string): Promise<void>;
  /** One more standby node joins the site. */
  addStandby(node: string, labels?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** A leader `a` with an app controller, then standbys with the given labels (they host guests while they wait). */
async function startSite(site: string, standbys: Record<string, Record<string, string>>): Promise<Site> {
  const opts = (node: string, labels: Record<string, string> = {}): SystemOptions => ({ servers: server.url, site, node, labels, orphanTimeoutMs: 60_000 });
  const leader = await createActorSystem(opts('a'));
  const pending = new Map<string, { system: Promise<ActorSystem>; kill(): Promise<void> }>();
  const addStandby = async (node: string, labels: Record<string, string>): Promise<void> => {
    let standby!: () => void;
    const waiting = new Promise<void>((r) => (standby = r));
    const connection = await connect({ servers: server.url });
    const giveUp = new AbortController();
    const system = createActorSystem({ ...opts(node, labels), connection, signal: giveUp.signal, onStandby: standby });
    pending.set(node, {
      system,
      async kill() {
        await connection.close();
        giveUp.abort();
        await system.catch(() => undefined);
      },
    });
    await waiting;
  };
  for (const [node, labels] of Object.entries(standbys)) await addStandby(node, labels);
  // Placement reads the registry: wait until the leader has seen every standby.
  await expect.poll(() => leader.node.directory.all().map((n) => n.id).sort(), { timeout: 10_000 }).toEqual(['a', ...Object.keys(standbys)].sort());
  const controller = await startAppController({ system: leader });
  return {
    leader,
    controller,
    async kill(node) {
      await pending.get(node)!.kill();
      pending.delete(node);
    },
    addStandby: (node, labels = {}) => addStandby(node, labels),
    async stop() {
      // The apps bucket is the server's: leave none behind for the next test's sites.
      for (const a of await getApps(leader.node.js)) await deleteApp(leader.node.js, a.name);
      await controller.stop();
      await leader.shutdown();
      // Once `a` is gone one standby takes over, then the next when that one stops: stop each as it leads.
      const left = new Map(pending);
      while (left.size > 0) {
        const [node, sys] = await Promise.race([...left].map(([n, s]) => s.system.then((x): [string, ActorSystem | undefined] => [n, x], (): [string, undefined] => [n, undefined])));
        await sys?.shutdown();
        await left.get(node)!.kill();
        left.delete(node);
      }
    },
  };
}

function nodeOf(site: Site, id: string): string | undefined {
  return site.leader.ps().actors.find((a) => a.id === id && a.status === 'running')?.node;
}

describe('placement over the nodes of a site', () => {
  it('placement - an actor whose nodeSelector only a standby matches runs there, as a worker guest of that node', async () => {
    const site = await startSite('place-a', { b: {}, c: { gpu: 'true' } });
    try {
      await applyManifest(site.leader.node.js, ledgerApp('      placement: { nodeSelector: { gpu: "true" } }\n', 'ledger-sel'));
      await expect.poll(() => nodeOf(site, 'ledger'), { timeout: 60_000 }).toBe('c');
      const info = site.leader.ps().actors.find((a) => a.id === 'ledger')!;
      expect(info.mode).toBe('worker');
      expect(info.guest).toMatch(/^node c /);
      const ledger = site.leader.ref<LedgerMsg>('ledger');
      await ledger.tell({ type: 'apply', key: 'x' });
      expect(await ledger.ask({ type: 'applied' }, { timeout: 10_000 })).toEqual({ x: 1 });
    } finally {
      await site.stop();
    }
  }, 120_000);

  it('placement - one-per-node replicas land one on each node, the leader included', async () => {
    const site = await startSite('place-b', { b: {}, c: {} });
    try {
      await applyManifest(site.leader.node.js, ledgerApp('      replicas: 3\n      placement: { spread: one-per-node }\n', 'ledger-spread'));
      await expect.poll(() => ['ledger', 'ledger-1', 'ledger-2'].map((id) => nodeOf(site, id)).sort(), { timeout: 60_000 }).toEqual(['a', 'b', 'c']);
    } finally {
      await site.stop();
    }
  }, 120_000);

  it('placement - an instance that fits no node is reported with a reason per node, the others run, and it starts once a node it fits joins', async () => {
    const site = await startSite('place-c', { b: {} });
    try {
      await applyManifest(site.leader.node.js, ledgerApp('      replicas: 3\n      placement: { spread: one-per-node }\n', 'ledger-unplaced'));
      await expect.poll(() => site.controller.apps().get('ledger-unplaced')?.error?.code, { timeout: 60_000 }).toBe('CAIRN_UNPLACED');
      const app = site.controller.apps().get('ledger-unplaced')!;
      expect(app.actors).toEqual(['ledger', 'ledger-1']);
      expect(app.error?.message).toMatch(/ledger replica 2: .*node a: .*one-per-node.*node b: /);
      await site.addStandby('c');
      await expect.poll(() => nodeOf(site, 'ledger-2'), { timeout: 60_000 }).toBe('c');
      expect(site.controller.apps().get('ledger-unplaced')).toMatchObject({ state: 'running', actors: ['ledger', 'ledger-1', 'ledger-2'] });
      expect(site.controller.apps().get('ledger-unplaced')?.error).toBeUndefined();
    } finally {
      await site.stop();
    }
  }, 120_000);

  it('placement - one-per-site with a selector no node here matches: this site is not a target (no error), until a matching node joins', async () => {
    const site = await startSite('place-e', { b: {} });
    try {
      await applyManifest(site.leader.node.js, ledgerApp('      placement: { spread: one-per-site, nodeSelector: { role: gateway } }\n', 'ledger-gw'));
      await expect.poll(() => site.controller.apps().get('ledger-gw')?.state, { timeout: 60_000 }).toBe('running');
      expect(site.controller.apps().get('ledger-gw')).toMatchObject({ actors: [] });
      expect(site.controller.apps().get('ledger-gw')?.error).toBeUndefined();
      await site.addStandby('c', { role: 'gateway' });
      await expect.poll(() => nodeOf(site, 'ledger'), { timeout: 60_000 }).toBe('c');
    } finally {
      await site.stop();
    }
  }, 120_000);

  it('failover - the node running an actor dies: it is re-placed on another eligible node and no acknowledged message is lost', async () => {
    const site = await startSite('place-d', { b: { gpu: 'true' }, c: { gpu: 'true' } });
    try {
      await applyManifest(site.leader.node.js, ledgerApp('      placement: { nodeSelector: { gpu: "true" } }\n', 'ledger-move'));
      // Least loaded, ties to the smaller id: b.
      await expect.poll(() => nodeOf(site, 'ledger'), { timeout: 60_000 }).toBe('b');
      const ledger = site.leader.ref<LedgerMsg>('ledger');
      for (let i = 0; i < 50; i++) await ledger.tell({ type: 'apply', key: `k${i}` }, { id: `m${i}` });
      await site.kill('b');
      for (let i = 50; i < 100; i++) await ledger.tell({ type: 'apply', key: `k${i}` }, { id: `m${i}` });
      await expect.poll(() => nodeOf(site, 'ledger'), { timeout: 60_000 }).toBe('c');
      let applied: Record<string, number> = {};
      await expect.poll(async () => Object.keys((applied = await ledger.ask({ type: 'applied' }, { timeout: 5_000 }).catch(() => ({})))).length, { timeout: 60_000 }).toBe(100);
      expect(Object.values(applied).every((n) => n === 1)).toBe(true);
    } finally {
      await site.stop();
    }
  }, 150_000);
});
