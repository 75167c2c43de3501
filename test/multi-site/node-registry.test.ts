import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { readNodeRegistry } from '../../kernel/index.ts';
import { summarizeSites } from '../../client/index.ts';
import { topologyPerTest } from '../helpers/topology.ts';
import { Counter } from '../helpers/actors.ts';

const sites = topologyPerTest();

describe('node registry across sites', () => {
  it('node registry - the cloud lists every site\'s nodes with labels and resources, and an edge cut off goes dead with its last-seen time, then comes back', async () => {
    const topology = await sites.start(['edge1']);
    const { cloud, edges, links } = topology;
    sites.keep(await createActorSystem({ servers: cloud.url, site: 'cloud', node: 'c1', heartbeatMs: 200, peers: [{ site: 'edge1', domain: 'edge1' }] }));
    sites.keep(await createActorSystem({ servers: edges.edge1!.url, site: 'edge1', node: 'e1', heartbeatMs: 200, labels: { zone: 'north' }, peers: [{ site: 'cloud', domain: 'cloud' }] }));
    const nc = await connect({ servers: cloud.url });
    const edgeNc = await connect({ servers: edges.edge1!.url });
    try {
      const jsm = await jetstreamManager(nc);
      const seenFromCloud = () => readNodeRegistry(jsm, 'cloud', Date.now(), 1_500);
      await expect.poll(async () => (await seenFromCloud()).map((n) => `${n.site}/${n.id}:${n.state}`), { timeout: 20_000 }).toEqual(['cloud/c1:up', 'edge1/e1:up']);
      const e1 = (await seenFromCloud()).find((n) => n.id === 'e1')!;
      expect(e1.labels).toMatchObject({ site: 'edge1', zone: 'north', os: process.platform, arch: process.arch });
      expect(e1.resources?.cpus).toBeGreaterThan(0);
      expect(e1.resources?.memoryMb).toBeGreaterThan(0);

      // Both sides see each other's node before the cut (each sources the other's registry).
      const edgeJsm = await jetstreamManager(edgeNc);
      const seenFromEdge = async () => (await readNodeRegistry(edgeJsm, 'edge1', Date.now(), 1_500)).map((n) => `${n.site}/${n.id}:${n.state}`);
      await expect.poll(seenFromEdge, { timeout: 20_000 }).toEqual(['cloud/c1:up', 'edge1/e1:up']);

      links.edge1!.freeze();
      await expect.poll(async () => (await seenFromCloud()).find((n) => n.id === 'e1')?.state, { timeout: 20_000 }).toBe('dead');
      const now = Date.now();
      const offline = summarizeSites(await seenFromCloud(), now + 5_000).filter((s) => !s.online);
      expect(offline.map((o) => o.site)).toContain('edge1');
      // The edge keeps running and sees its own node up; the cloud (its peer) went quiet for it too.
      await expect.poll(seenFromEdge, { timeout: 10_000 }).toEqual(['cloud/c1:dead', 'edge1/e1:up']);

      links.edge1!.thaw({ reset: true });
      await expect.poll(async () => (await seenFromCloud()).find((n) => n.id === 'e1')?.state, { timeout: 30_000 }).toBe('up');
    } finally {
      await nc.close();
      await edgeNc.close();
    }
  }, 90_000);

  it('node registry - cairn nodes against the cloud, told no site, learns it from the server and lists the edge node too', async () => {
    const topology = await sites.start(['edge1']);
    sites.keep(await createActorSystem({ servers: topology.cloud.url, site: 'cloud', node: 'c1', peers: [{ site: 'edge1', domain: 'edge1' }] }));
    sites.keep(await createActorSystem({ servers: topology.edges.edge1!.url, site: 'edge1', node: 'e1', peers: [{ site: 'cloud', domain: 'cloud' }] }));
    // No --site: the server's JetStream domain ("cloud") names its site.
    const run = () => promisify(execFile)(process.execPath, ['bin/cairn.mjs', 'nodes', '--server', topology.cloud.url, '--json']).then((r) => JSON.parse(r.stdout) as { id: string; site: string }[]);
    await expect.poll(async () => (await run()).map((n) => `${n.site}/${n.id}`), { timeout: 20_000 }).toEqual(['cloud/c1', 'edge1/e1']);
    // cairn doctor on the cloud compares the edge's clock (its newest heartbeat) with this machine's.
    const doctor = await promisify(execFile)(process.execPath, ['bin/cairn.mjs', 'doctor', '--server', topology.cloud.url, '-o', 'json']).then((r) => JSON.parse(r.stdout) as { name: string; status: string; detail: string }[]);
    expect(doctor.find((c) => c.name === 'links')).toMatchObject({ status: 'ok', detail: '1 other site(s) answer: edge1' });
    expect(doctor.find((c) => c.name === 'site clocks')).toMatchObject({ status: 'ok', detail: 'edge1 within 2 s of this machine' });
  }, 60_000);

  it('cairn ps on the cloud - lists every site\'s actors with site and node, and names a cut-off edge as offline with its last-seen time', async () => {
    const topology = await sites.start(['edge1']);
    const cloudSys = await createActorSystem({ servers: topology.cloud.url, site: 'cloud', node: 'c1', heartbeatMs: 200, peers: [{ site: 'edge1', domain: 'edge1' }] });
    const edgeSys = await createActorSystem({ servers: topology.edges.edge1!.url, site: 'edge1', node: 'e1', heartbeatMs: 200, peers: [{ site: 'cloud', domain: 'cloud' }] });
    sites.keep(cloudSys, edgeSys);
    await cloudSys.spawn(Counter, { id: 'in-cloud' });
    await edgeSys.spawn(Counter, { id: 'on-edge' });
    const ps = () => promisify(execFile)(process.execPath, ['bin/cairn.mjs', 'ps', '--server', topology.cloud.url, '--site', 'cloud', '--json']).then((r) => ({ rows: JSON.parse(r.stdout) as { id: string; site: string; node: string; status: string }[], stderr: r.stderr }));
    await expect.poll(async () => (await ps()).rows.map((a) => `${a.site}/${a.node}/${a.id}:${a.status}`).sort(), { timeout: 20_000 }).toEqual(['cloud/c1/in-cloud:running', 'edge1/e1/on-edge:running']);
    // The table of a listing that spans sites says which site each actor is on.
    const table = (await promisify(execFile)(process.execPath, ['bin/cairn.mjs', 'ps', '--server', topology.cloud.url])).stdout;
    expect(table).toMatch(/^ID\s+SITE\s+BEHAVIOUR/m);
    expect(table).toMatch(/^on-edge\s+edge1\s+counter\s+e1/m);

    topology.links.edge1!.freeze();
    // Past the node timeout (5 s) the edge's node is dead as the cloud sees it.
    await expect.poll(async () => (await ps()).stderr, { timeout: 30_000, interval: 500 }).toMatch(/site edge1 is offline: last seen \d+(\.\d+)?s ago/);
    expect((await ps()).rows.map((a) => a.id)).toEqual(['in-cloud']);

    // cairn doctor on the cloud names the site it cannot reach, and fails.
    const doctor = await promisify(execFile)(process.execPath, ['bin/cairn.mjs', 'doctor', '--server', topology.cloud.url, '-o', 'json']).then(
      () => undefined,
      (err: { code: number; stdout: string }) => err,
    );
    expect(doctor?.code).toBe(1);
    const checks = JSON.parse(doctor!.stdout) as { name: string; status: string; detail: string }[];
    expect(checks.find((c) => c.name === 'links')).toMatchObject({ status: 'fail', detail: expect.stringContaining('no answer from edge1') });
    expect(checks.find((c) => c.name === 'site clocks')).toMatchObject({ status: 'skip', detail: 'no other site answers' });
    expect(checks.find((c) => c.name === 'nodes')).toMatchObject({ status: 'ok', detail: expect.stringContaining('leader c1') });
  }, 90_000);
});

