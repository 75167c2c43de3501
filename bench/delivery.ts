// Delivery: from `cairn apply` of an application whose code and model are new (a ~200 KB behaviour
// bundle and a 5 MB model file) to its actor running on N edge sites of one machine, beside the
// floor of moving the same bytes. Each child process starts its own topology (bench/leaf-sites.ts).
// Variants (BENCH_VARIANT): raw-1, cairn-1, raw-10, cairn-10, raw-25, cairn-25 (the number is N).
//   cairn  one node and app controller per site, all in this process; CairnClient.apply from a
//          folder holding the manifest, the behaviour and the model (bundle, chunk, store, write the
//          revision); the clock runs until every edge node has emitted 'started' for the actor (it
//          fetched both artifacts through its mirrors, checked them, and started).
//   raw    no nodes: an object store on the cloud and, on each edge, a mirror of its stream; the
//          clock runs from the put of the same two blobs until every edge has read both whole from
//          its mirror (an object store watch per edge says when each arrives).
// Each process does a warm-up round, then ROUNDS measured rounds, each with new random bytes.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { CairnClient } from '../client/index.ts';
import { createActorSystem } from '../supervisor-trees/index.ts';
import type { ActorSystem } from '../supervisor-trees/index.ts';
import { startAppController } from '../control-plane/index.ts';
import type { AppController } from '../control-plane/index.ts';
import { cloudMirrorConfig } from '../control-plane/cloud-mirror.ts';
import { benchInput, emit } from './harness.ts';
import { CLOUD_DOMAIN, inBatches, startLeafSites } from './leaf-sites.ts';
import type { LeafSites } from './leaf-sites.ts';
import { expectArrivals, measure, timeRound } from './rollout-rig.ts';
import type { Rig } from './rollout-rig.ts';

const input = benchInput();
const [kind, size] = input.variant.split('-') as ['raw' | 'cairn', string];
const EDGES = Number(size);
const ROUNDS = Number(process.env.BENCH_DELIVERY_ROUNDS ?? 5);
export const BUNDLE_BYTES = 200 * 1024;
export const MODEL_BYTES = 5 * 1024 * 1024;
const WARM_UP = 'warm';
const MEASURED = Array.from({ length: ROUNDS }, (_, i) => `deliver-${i + 1}`);
const APPS = [WARM_UP, ...MEASURED];
const PARALLEL = 5;
const RAW_BUCKET = 'bench_raw_delivery';

/** A behaviour whose bundle is ~200 KB (a random constant), and a 5 MB model, new for each app. */
function appFiles(app: string): { behaviour: string; model: Uint8Array } {
  const blob = randomBytes((BUNDLE_BYTES * 3) / 4).toString('base64');
  const behaviour = [
    "import { defineActor } from 'cairn';",
    `const BLOB = ${JSON.stringify(blob)};`,
    `export default defineActor({ name: '${app}', receive: () => BLOB.length });`,
    '',
  ].join('\n');
  return { behaviour, model: randomBytes(MODEL_BYTES) };
}

async function rawRig(sites: LeafSites): Promise<Rig> {
  const edges = sites.edges.map((e) => e.name);
  const files = new Map(APPS.map((app) => [app, appFiles(app)]));
  const cloudNc = await connect({ servers: sites.cloud.url, noAsyncTraces: true });
  const store = await new Objm(jetstream(cloudNc)).create(RAW_BUCKET);
  let current: ReturnType<typeof expectArrivals> | undefined;
  const watchers = await inBatches(sites.edges, PARALLEL, async (edge) => {
    const nc = await connect({ servers: edge.url, noAsyncTraces: true });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add(cloudMirrorConfig(`OBJ_${RAW_BUCKET}`, CLOUD_DOMAIN, { allow_direct: true }));
    const mirror = await new Objm(jetstream(nc)).open(RAW_BUCKET);
    const iter = await mirror.watch({ includeHistory: false });
    void (async () => {
      for await (const info of iter) {
        if (!info || info.deleted) continue;
        // Read whole, as a site does before it runs anything from it.
        const bytes = await mirror.getBlob(info.name);
        if (bytes) current?.mark(edge.name, info.name);
      }
    })();
    return { nc, iter };
  });
  return {
    async round(app) {
      const f = files.get(app)!;
      current = expectArrivals(edges, [`${app}.js`, `${app}.bin`]);
      return timeRound(edges, current, async () => {
        await store.putBlob({ name: `${app}.js` }, new TextEncoder().encode(f.behaviour));
        await store.putBlob({ name: `${app}.bin` }, f.model);
      });
    },
    async close() {
      for (const w of watchers) w.iter.stop();
      await Promise.all([cloudNc, ...watchers.map((w) => w.nc)].map((nc) => nc.close().catch(() => undefined)));
    },
  };
}

interface SiteNode {
  readonly system: ActorSystem;
  readonly controller: AppController;
}

async function cairnRig(sites: LeafSites, dir: string): Promise<Rig> {
  const edges = sites.edges.map((e) => e.name);
  const nodes: SiteNode[] = [];
  let client: CairnClient | undefined;
  const startNode = async (url: string, site: string, cloudDomain?: string): Promise<SiteNode> => {
    const system = await createActorSystem({ servers: url, site, node: `${site}-n1` });
    const controller = await startAppController({ system, artifactDir: join(dir, 'cache', site), ...(cloudDomain === undefined ? {} : { cloudDomain }) });
    const node = { system, controller };
    nodes.push(node);
    return node;
  };
  const close = async (): Promise<void> => {
    for (const n of nodes) await n.controller.stop().catch(() => undefined);
    await Promise.all(nodes.map((n) => n.system.shutdown().catch(() => undefined)));
    await client?.close().catch(() => undefined);
  };
  try {
    await startNode(sites.cloud.url, 'cloud');
    const edgeNodes = await inBatches(sites.edges, PARALLEL, (e) => startNode(e.url, e.name, CLOUD_DOMAIN));
    let current: ReturnType<typeof expectArrivals> | undefined;
    for (const { system } of edgeNodes) {
      system.onEvent((e) => {
        if (e.type === 'started') current?.mark(system.site, e.actor);
      });
    }
    // Written before the clock starts: the round times apply and delivery, not writing test files.
    for (const app of APPS) {
      const f = appFiles(app);
      await writeFile(join(dir, `${app}.ts`), f.behaviour);
      await writeFile(join(dir, `${app}.bin`), f.model);
    }
    client = await CairnClient.connect({ servers: sites.cloud.url, site: 'cloud' });
    const c = client;
    return {
      async round(app) {
        const manifest = `apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: ${app} }\nspec:\n  actors:\n    - id: ${app}-a\n      behaviour: { module: ./${app}.ts }\n      files: { model: ./${app}.bin }\n      placement: { sites: [${edges.join(', ')}] }\n`;
        current = expectArrivals(edges, [`${app}-a`]);
        const round = await timeRound(edges, current, async () => {
          const result = await c.apply(manifest, { source: `${app}.yaml`, appDir: dir });
          if (!result.changed) throw new Error(`apply of ${app} changed nothing`);
        });
        await Promise.all(edgeNodes.map((n) => n.controller.whenIdle()));
        return round;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

async function main(): Promise<void> {
  if (!Number.isInteger(EDGES) || EDGES < 1 || (kind !== 'raw' && kind !== 'cairn')) throw new Error(`unknown variant ${input.variant}; use raw-<N> or cairn-<N>`);
  const t0 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-delivery-'));
  const sites = await startLeafSites(EDGES);
  try {
    const serversMs = performance.now() - t0;
    const rig = kind === 'raw' ? await rawRig(sites) : await cairnRig(sites, dir);
    const setupMs = performance.now() - t0;
    try {
      emit({ bench: 'delivery', variant: input.variant, kind, edges: EDGES, actors: kind === 'cairn' ? 1 : 0, bundleBytes: BUNDLE_BYTES, modelBytes: MODEL_BYTES, serversMs, setupMs, ...(await measure(sites, rig, WARM_UP, MEASURED)) });
    } finally {
      await rig.close();
    }
  } finally {
    await sites.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
