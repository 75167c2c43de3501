// Rollout across edges, on real servers: one `apply` in the cloud, and every targeted edge ends up
// running all of the app's actors (what bench/rollout.ts times, checked here without timing).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { applyManifest, readAppStatuses, startAppController } from '../../control-plane/index.ts';
import type { AppController } from '../../control-plane/index.ts';
import { startTopology } from '../helpers/topology.ts';
import type { Topology } from '../helpers/topology.ts';
import { eventLog } from '../helpers/actors.ts';
import type { EchoMsg } from '../control-plane/fixtures/echo.ts';

const FIXTURES = fileURLToPath(new URL('../control-plane/fixtures/', import.meta.url));
const EDGES = ['edge1', 'edge2'] as const;
const APP = 'fleet';
const ACTORS = ['fleet-a1', 'fleet-a2', 'fleet-a3'];

const manifest = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: ${APP} }
spec:
  actors:
${ACTORS.map((id) => `    - id: ${id}\n      behaviour: { module: ./echo.ts, export: Echo }\n      placement: { sites: [${EDGES.join(', ')}] }\n`).join('')}`;

interface Site {
  readonly system: ActorSystem;
  readonly controller: AppController;
}

let topology: Topology;
const sites = new Map<string, Site>();
let nc: NatsConnection;

async function startSite(url: string, site: string, cloudDomain?: string): Promise<Site> {
  const system = await createActorSystem({ servers: url, site, node: `${site}-n1` });
  const controller = await startAppController({ system, appDir: FIXTURES, ...(cloudDomain === undefined ? {} : { cloudDomain }) });
  const s = { system, controller };
  sites.set(site, s);
  return s;
}

beforeAll(async () => {
  topology = await startTopology(EDGES);
  await startSite(topology.cloud.url, 'cloud');
  for (const e of EDGES) await startSite(topology.edges[e]!.url, e, 'cloud');
  nc = await connect({ servers: topology.cloud.url });
}, 60_000);

afterAll(async () => {
  for (const s of sites.values()) await s.controller.stop().catch(() => undefined);
  await Promise.all([...sites.values()].map((s) => s.system.shutdown().catch(() => undefined)));
  await nc?.close();
  await topology?.cleanup();
});

describe('rollout', () => {
  it('rollout - one apply in the cloud starts every actor on every targeted edge, and each edge reports it running', async () => {
    const edges = EDGES.map((e) => sites.get(e)!);
    const logs = edges.map((s) => eventLog((l) => s.system.onEvent(l)));
    const applied = await applyManifest(jetstream(nc), manifest, 'fleet.yaml');
    expect(applied.changed).toBe(true);

    // Every edge emits 'started' for each actor: the event the benchmark waits for.
    await Promise.all(logs.flatMap((log) => ACTORS.map((id) => log.next((e) => e.type === 'started' && e.actor === id, 30_000))));
    for (const log of logs) log.stop();

    for (const [i, { system, controller }] of edges.entries()) {
      await controller.whenIdle();
      expect(controller.apps().get(APP)).toMatchObject({ state: 'running', revision: applied.revision, actors: ACTORS });
      expect(system.ps().actors.map((a) => a.id)).toEqual(expect.arrayContaining(ACTORS));
      // Running means handling messages.
      for (const id of ACTORS) expect(await system.ref<EchoMsg>(id).ask({ type: 'echo', text: `${EDGES[i]}/${id}` }, { timeout: 5_000 })).toBe(`${EDGES[i]}/${id}`);
      // The status report lands in the edge's own domain, where `cairn get` reads it.
      await expect
        .poll(async () => (await readAppStatuses(jetstream(nc, { domain: EDGES[i]! }), EDGES[i]!))?.find((s) => s.app === APP), { timeout: 10_000 })
        .toMatchObject({ site: EDGES[i], state: 'running', revision: applied.revision, actors: ACTORS });
    }

    // Placed on the edges only: the cloud's controller runs nothing of it.
    const cloud = sites.get('cloud')!;
    await cloud.controller.whenIdle();
    expect(cloud.controller.apps().has(APP)).toBe(false);
    expect(cloud.system.ps().actors.map((a) => a.id)).not.toContain(ACTORS[0]);
  });
});
