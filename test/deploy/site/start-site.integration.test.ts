import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineActor } from '../../../kernel/index.ts';
import type { Asks } from '../../../kernel/index.ts';
import { freePorts } from '../../../deploy/nats-server/index.ts';
import { initSites, loadSitesFile, parseSitesFile, startSite } from '../../../deploy/site/index.ts';
import type { RunningSite } from '../../../deploy/site/index.ts';
import { isProcessAlive } from '../../../deploy/embedded/index.ts';

type InboxMsg = { type: 'hello'; from: string } | ({ type: 'seen' } & Asks<string[]>);
const Inbox = defineActor<InboxMsg, string[]>({
  name: 'inbox',
  initialState: () => [],
  receive: (msg, ctx) => (msg.type === 'hello' ? ctx.setState([...ctx.state, msg.from]) : ctx.state),
});

let dir: string | undefined;
const running: RunningSite[] = [];
afterEach(async () => {
  for (const s of running.splice(0).reverse()) await s.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('cairn site up', () => {
  it('site up - a cloud and an edge from site init: a tell from the cloud node reaches an actor on the edge; stop leaves nothing running', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-site-up-'));
    const [cloudPort, leafPort, edgePort] = await freePorts(3);
    const file = join(dir, 'sites.yaml');
    await writeFile(file, `apiVersion: cairn.dev/v1
kind: Sites
cloud: { port: ${cloudPort}, leafPort: ${leafPort} }
edges:
  - { name: edge1, port: ${edgePort}, labels: { zone: north } }
dataDir: ./out
`);
    const sites = await loadSitesFile(file);
    await initSites(sites);

    const cloud = await startSite({ dir: join(dir, 'out'), site: 'cloud', node: 'cloud-n1' });
    running.push(cloud);
    const edge = await startSite({ dir: join(dir, 'out'), site: 'edge1', node: 'edge1-n1' });
    running.push(edge);
    expect(cloud.url).toBe(`nats://127.0.0.1:${cloudPort}`);
    expect(edge.file.peers).toEqual([{ site: 'cloud', domain: 'cloud' }]);
    expect(cloud.file.peers).toEqual([{ site: 'edge1', domain: 'edge1' }]);

    await edge.system.spawn(Inbox, { id: 'inbox' });
    // Accepted at once: the tell is stored in the cloud's outbox, whatever the link is doing.
    await cloud.system.ref<InboxMsg>('inbox', 'edge1').tell({ type: 'hello', from: 'cloud' });
    await expect
      .poll(() => edge.system.ref<InboxMsg>('inbox').ask({ type: 'seen' }, { timeout: 2_000 }).catch(() => []), { timeout: 30_000, interval: 200 })
      .toEqual(['cloud']);

    const pids = [cloud.server.pid, edge.server.pid];
    for (const s of running.splice(0).reverse()) expect((await s.stop()).drained).toBe(true);
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
  }, 60_000);

  it('site up - an uninitialised site and an edited config are refused with their codes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-site-up-'));
    await expect(startSite({ dir, site: 'edge9' })).rejects.toMatchObject({ code: 'CAIRN_SITE_NOT_INITIALIZED', message: expect.stringContaining('cairn site init') });
    const [cloudPort, leafPort, edgePort] = await freePorts(3);
    const sites = parseSitesFile(`apiVersion: cairn.dev/v1\nkind: Sites\ncloud: { port: ${cloudPort}, leafPort: ${leafPort} }\nedges: [{ name: edge1, port: ${edgePort} }]\n`, join(dir, 'sites.yaml'));
    await initSites(sites, { outDir: dir });
    await writeFile(join(dir, 'edge1', 'nats-server.conf'), 'port: 1\n');
    await expect(startSite({ dir, site: 'edge1' })).rejects.toMatchObject({ code: 'CAIRN_SITE_CONFIG_EDITED' });
  });
});
