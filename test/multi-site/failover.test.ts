// Failover between the nodes of one site, as separate OS processes started with the real CLI
// (`cairn site join`): kill -9 the leader (a standby takes the site over) or the node an actor was
// placed on (the leader re-places it); either way every message the server acknowledged is applied
// exactly once (the ledger is persisted).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CairnClient } from '../../client/index.ts';
import { findNatsServer, freePorts, startNatsServer } from '../../deploy/nats-server/index.ts';
import { initSites, loadSitesFile, readSiteFile, siteDir } from '../../deploy/site/index.ts';
import type { SiteFile } from '../../deploy/site/index.ts';
import { startBin } from '../deploy/cli/cli-harness.ts';
import type { BinProcess } from '../deploy/cli/cli-harness.ts';
import type { LedgerMsg } from '../fixtures/ledger.ts';
import { ledgerApp } from '../fixtures/ledger-app.ts';
import { ControlVerbs } from '../../protocols/index.ts';
import type { PsReply } from '../../protocols/index.ts';

const MESSAGES = 600;
const KILL_AFTER = 200;

/** A site from `cairn site init` whose nats-server runs on its own (as under systemd): only nodes are killed. */
interface RunningSiteServer {
  readonly out: string;
  readonly file: SiteFile;
  readonly client: CairnClient;
  join(id: string, labels?: readonly string[]): BinProcess;
  /** Stops the site's nats-server (its store stays) and resolves a function that starts it again. */
  stopServer(): Promise<() => Promise<void>>;
  cleanup(): Promise<void>;
}

const running: RunningSiteServer[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.cleanup();
});

async function siteServer(): Promise<RunningSiteServer> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-failover-'));
  const [port, leafPort, edgePort] = await freePorts(3);
  // The edge is not started: these tests are about the cloud site's nodes.
  await writeFile(join(dir, 'sites.yaml'), `apiVersion: cairn.dev/v1\nkind: Sites\ncloud: { port: ${port}, leafPort: ${leafPort} }\nedges:\n  - { name: edge1, port: ${edgePort} }\ndataDir: ./out\n`);
  await initSites(await loadSitesFile(join(dir, 'sites.yaml')));
  const out = join(dir, 'out');
  const file = await readSiteFile(out, 'cloud');
  const binary = await findNatsServer();
  const start = () => startNatsServer({ config: file.natsServer, dir: siteDir(out, 'cloud'), binary });
  let server = await start();
  const client = await CairnClient.connect({ servers: file.url, site: 'cloud' });
  const nodes: BinProcess[] = [];
  const site: RunningSiteServer = {
    out,
    file,
    client,
    join(id, labels = []) {
      const node = startBin(['site', 'join', 'cloud', '--data-dir', out, '--node', id, ...labels.flatMap((l) => ['--label', l])]);
      nodes.push(node);
      return node;
    },
    async stopServer() {
      await server.stop();
      return async () => {
        server = await start();
      };
    },
    async cleanup() {
      for (const n of nodes) n.child.kill('SIGKILL');
      await client.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  running.push(site);
  return site;
}

async function applied(client: CairnClient): Promise<Record<string, number> | undefined> {
  return client.ref<LedgerMsg>('ledger').ask({ type: 'applied' }, { timeout: 2_000 }).catch(() => undefined);
}

/** Tells MESSAGES distinct keys, calling `midway` after KILL_AFTER of them were acknowledged. */
async function tellAll(client: CairnClient, midway: () => Promise<void>): Promise<void> {
  const ledger = client.ref<LedgerMsg>('ledger');
  for (let i = 0; i < MESSAGES; i++) {
    // Each tell resolves once JetStream has stored it: it is acknowledged from here on.
    await ledger.tell({ type: 'apply', key: `k${i}` }, { id: `m${i}` });
    if (i === KILL_AFTER) await midway();
  }
}

/** Waits until the ledger has every key, and checks each was applied exactly once; `explain` says more on a timeout. */
async function expectEveryKeyOnce(client: CairnClient, explain?: () => Promise<string>): Promise<void> {
  let last: Record<string, number> = {};
  try {
    await expect.poll(async () => Object.keys((last = (await applied(client)) ?? {})).length, { timeout: 60_000, interval: 250 }).toBe(MESSAGES);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${explain ? await explain() : ''}`, { cause: err });
  }
  expect(Object.entries(last).filter(([, n]) => n !== 1)).toEqual([]);
  for (let i = 0; i < MESSAGES; i++) expect(last[`k${i}`]).toBe(1);
}

/** What the site's nodes said: ps of the live ones and the end of each joined node's log. */
async function whatNodesSaw(site: RunningSiteServer, nodes: readonly string[]): Promise<string> {
  const ps = await site.client.listActors().then((q) => JSON.stringify(q.results.map((a) => [a.node, a.id, a.status, a.handled, a.queued])), (e: unknown) => String(e));
  const logs = await Promise.all(nodes.map(async (n) => `--- node-${n}.log\n${(await readFile(join(siteDir(site.out, 'cloud'), `node-${n}.log`), 'utf8').catch(() => '')).split('\n').slice(-40).join('\n')}`));
  return [`ps: ${ps}`, ...logs].join('\n');
}

/** Nodes a (leading) and b (its standby) of the site, each started with `cairn site join`. */
async function leaderAndStandby(site: RunningSiteServer): Promise<{ readonly a: BinProcess; readonly b: BinProcess }> {
  const a = site.join('a');
  await a.stdout.waitFor(/^ready: node a leads site cloud/, 30_000);
  const b = site.join('b');
  await b.stdout.waitFor(/^standby: node a leads site cloud/, 30_000);
  return { a, b };
}

async function kill9(node: BinProcess): Promise<void> {
  node.child.kill('SIGKILL');
  expect(await node.exited).toMatchObject({ signal: 'SIGKILL' });
}

describe('failover between the nodes of one site', () => {
  it('failover - kill -9 of the leader: the standby takes the site over and applies every acknowledged message exactly once', async () => {
    const site = await siteServer();
    const { a, b } = await leaderAndStandby(site);

    await site.client.apply(ledgerApp());
    await expect.poll(() => applied(site.client), { timeout: 30_000, interval: 200 }).toEqual({});
    await tellAll(site.client, () => kill9(a));
    // The standby claims the lease once a's lease is not renewed for the ttl, says so, then runs the app.
    await b.stdout.waitFor(/^ready: node b leads site cloud/, 60_000);
    const said = b.stdout.lines.findIndex((l) => /^leader a is gone \(it stopped, or did not renew its lease in time\): this node takes the site over$/.test(l));
    expect(said).toBeGreaterThanOrEqual(0);
    expect(said).toBeLessThan(b.stdout.lines.findIndex((l) => l.startsWith('ready: node b')));
    await expectEveryKeyOnce(site.client, () => whatNodesSaw(site, ['a', 'b']));

    const records = await site.client.listNodes();
    expect(records.find((r) => r.id === 'b')?.role).toBe('leader');
    b.child.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
  }, 120_000);

  it('failover - kill -9 of the node an actor was placed on: the leader re-places it on the other eligible node, every acknowledged message applied once', async () => {
    const site = await siteServer();
    const a = site.join('a');
    await a.stdout.waitFor(/^ready: node a leads site cloud/, 30_000);
    const b = site.join('b', ['gpu=true']);
    await b.stdout.waitFor(/^standby:/, 30_000);
    const c = site.join('c', ['gpu=true']);
    await c.stdout.waitFor(/^standby:/, 30_000);
    // The leader must have seen both standbys register before it places.
    await expect.poll(async () => (await site.client.listNodes()).map((n) => n.id), { timeout: 10_000 }).toEqual(['a', 'b', 'c']);

    await site.client.apply(ledgerApp('      placement: { nodeSelector: { gpu: "true" } }\n'));
    const placedOn = async (): Promise<string | undefined> => {
      const ps = await site.client.control<PsReply>('a', ControlVerbs.ps, { timeoutMs: 2_000 }).catch(() => undefined);
      return ps?.actors.find((x) => x.id === 'ledger' && x.status === 'running')?.node;
    };
    // Least loaded eligible node, ties to the smaller id: b.
    await expect.poll(placedOn, { timeout: 30_000, interval: 200 }).toBe('b');
    await tellAll(site.client, () => kill9(b));
    await expect.poll(placedOn, { timeout: 60_000, interval: 250 }).toBe('c');
    await expectEveryKeyOnce(site.client);
    // a still leads: a standby's death is not a takeover.
    expect((await site.client.listNodes()).find((r) => r.id === 'a')?.role).toBe('leader');
  }, 120_000);

  it("site join - a standby says when its site's server is gone and when it is back", async () => {
    const site = await siteServer();
    const { b } = await leaderAndStandby(site);
    const startAgain = await site.stopServer();
    await b.stderr.waitFor(/^warning: lost the connection to site cloud's server; reconnecting \(a standby cannot take over while its server is gone\)$/, 20_000);
    await startAgain();
    await b.stdout.waitFor(/^reconnected to site cloud's server$/, 30_000);
  }, 90_000);

  it('site join - a standby stopped with SIGTERM while it waits exits 0 and leaves the registry', async () => {
    const site = await siteServer();
    const { b } = await leaderAndStandby(site);
    await expect.poll(async () => (await site.client.listNodes()).map((n) => `${n.id}:${n.role}`), { timeout: 10_000 }).toEqual(['a:leader', 'b:standby']);
    b.child.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
    expect(b.stdout.lines).toContain('stopped while waiting as standby');
    expect((await site.client.listNodes()).map((n) => n.id)).toEqual(['a']);
  }, 60_000);
});
