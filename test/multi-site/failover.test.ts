// Failover between two nodes of one site, as separate OS processes started with the real CLI
// (`cairn site join`): kill -9 the leader, the standby takes the site over and runs its actors, and
// every message the server acknowledged is applied exactly once (the ledger is persisted).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest } from '../../deploy/apply/index.ts';
import { openClient } from '../../deploy/cli/cli-client.ts';
import type { CliClient } from '../../deploy/cli/cli-client.ts';
import { findNatsServer, freePorts, startNatsServer } from '../../deploy/nats-server/index.ts';
import type { RunningNatsServer } from '../../deploy/nats-server/index.ts';
import { initSites, loadSitesFile, readSiteFile, siteDir } from '../../deploy/site/index.ts';
import type { SiteFile } from '../../deploy/site/index.ts';
import { startBin } from '../deploy/cli/cli-harness.ts';
import type { BinProcess } from '../deploy/cli/cli-harness.ts';
import type { LedgerMsg } from '../fixtures/ledger.ts';

const LEDGER_MODULE = fileURLToPath(new URL('../fixtures/ledger.ts', import.meta.url));
const MESSAGES = 600;
const KILL_AFTER = 200;

let dir: string;
let file: SiteFile;
let out: string;
let server: RunningNatsServer;
let client: CliClient;
const nodes: BinProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-failover-'));
  const [port, leafPort, edgePort] = await freePorts(3);
  await writeFile(join(dir, 'sites.yaml'), `apiVersion: cairn.dev/v1\nkind: Sites\ncloud: { port: ${port}, leafPort: ${leafPort} }\nedges:\n  - { name: edge1, port: ${edgePort} }\ndataDir: ./out\n`);
  await initSites(await loadSitesFile(join(dir, 'sites.yaml')));
  out = join(dir, 'out');
  file = await readSiteFile(out, 'cloud');
  // The edge is not started: this test is about the cloud site's two nodes.
  // The site's nats-server runs on its own (as under systemd): only the nodes are killed.
  server = await startNatsServer({ config: file.natsServer, dir: siteDir(out, 'cloud'), binary: await findNatsServer() });
  client = await openClient({ server: file.url, site: 'cloud', source: 'test' });
}, 60_000);

afterAll(async () => {
  for (const n of nodes) n.child.kill('SIGKILL');
  await client?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function joinNode(id: string): BinProcess {
  const node = startBin(['site', 'join', 'cloud', '--dir', out, '--node', id, '--label', `name=${id}`]);
  nodes.push(node);
  return node;
}

async function applied(): Promise<Record<string, number> | undefined> {
  return client.node.ref<LedgerMsg>('ledger').ask({ type: 'applied' }, { timeout: 2_000 }).catch(() => undefined);
}

describe('failover between the nodes of one site', () => {
  it('failover - kill -9 of the leader: the standby takes the site over and applies every acknowledged message exactly once', async () => {
    const a = joinNode('a');
    await a.stdout.waitFor(/^ready: node a leads site cloud/, 30_000);
    const b = joinNode('b');
    await b.stdout.waitFor(/^standby: node a leads site cloud/, 30_000);

    await applyManifest(client.node.js, `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: ledger }
spec:
  actors:
    - id: ledger
      behaviour: { module: ${JSON.stringify(LEDGER_MODULE)}, export: Ledger }
`);
    await expect.poll(applied, { timeout: 30_000, interval: 200 }).toEqual({});

    const ledger = client.node.ref<LedgerMsg>('ledger');
    for (let i = 0; i < MESSAGES; i++) {
      // Each tell resolves once JetStream has stored it: it is acknowledged from here on.
      await ledger.tell({ type: 'apply', key: `k${i}` }, { id: `m${i}` });
      if (i === KILL_AFTER) {
        a.child.kill('SIGKILL');
        expect(await a.exited).toMatchObject({ signal: 'SIGKILL' });
      }
    }
    // The standby claims the lease once a's lease is not renewed for the ttl, then runs the app.
    await b.stdout.waitFor(/^ready: node b leads site cloud/, 60_000);

    let last: Record<string, number> | undefined;
    await expect
      .poll(async () => Object.keys((last = (await applied()) ?? {})).length, { timeout: 60_000, interval: 250 })
      .toBe(MESSAGES);
    const counts = Object.values(last!);
    expect(counts.filter((n) => n !== 1)).toEqual([]);
    for (let i = 0; i < MESSAGES; i++) expect(last![`k${i}`]).toBe(1);

    // The dead node is reported as such; the new leader as leader.
    const records = await client.nodes();
    expect(records.find((r) => r.id === 'b')?.role).toBe('leader');
    b.child.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
  }, 120_000);
});
