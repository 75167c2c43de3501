// Rollout: from `cairn apply` to all actors running on N edge sites of one machine, beside the floor
// of the mechanism underneath it. Each child process starts its own topology (bench/leaf-sites.ts:
// one cloud nats-server and N edge nats-servers, each edge its own JetStream domain and a leaf of
// the cloud, direct loopback links); bench/run.ts's server is not used.
// Variants (BENCH_VARIANT): raw-1, cairn-1, raw-10, cairn-10, raw-25, cairn-25 (the number is N).
//   cairn  one node per site (createActorSystem + startAppController, as deploy/site/start-site.ts
//          does), all in this process. An application of ACTORS inline actors placed on every edge
//          is applied from a separate client of the cloud with the AppStore, as `cairn apply` does
//          (open the bucket, validate, read, write). The clock runs from the apply call until every
//          edge node has emitted a 'started' event for each of the application's actors.
//   raw    no nodes. The cairn_apps bucket on the cloud and, on each edge, the mirror of it that an
//          edge's app controller opens (openDesiredApps), watched by one KV watch per edge. The
//          clock runs from a kv.put of the same record bytes (as AppStore would write them) until
//          every edge's watch has delivered it.
// Each process does a warm-up round (mirror consumers established, behaviour module imported), then
// ROUNDS measured rounds, each a new application (a fresh start on every edge, never a replace).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { createActorSystem } from '../supervisor-trees/index.ts';
import type { ActorSystem } from '../supervisor-trees/index.ts';
import { APP_RECORD_VERSION, AppStore, DEFAULT_APP_HISTORY, openDesiredApps, startAppController } from '../control-plane/index.ts';
import type { AppController } from '../control-plane/index.ts';
import { encodeAppRecord } from '../control-plane/app-record.ts';
import { parseManifestOrThrow } from '../control-plane/index.ts';
import { Buckets } from '../protocols/index.ts';
import { benchInput, emit } from './harness.ts';
import { CLOUD_DOMAIN, inBatches, startLeafSites } from './leaf-sites.ts';
import { expectArrivals, measure, timeRound } from './rollout-rig.ts';
import type { Rig, RolloutRound } from './rollout-rig.ts';
import type { LeafSites } from './leaf-sites.ts';

const here = dirname(fileURLToPath(import.meta.url));
const input = benchInput();
const [kind, size] = input.variant.split('-') as ['raw' | 'cairn', string];
const EDGES = Number(size);
const ROUNDS = Number(process.env.BENCH_ROLLOUT_ROUNDS ?? 10);
const ACTORS = 3;
/** The applications rolled out, in order: a warm-up one, then one per measured round. */
const WARM_UP = 'warm';
const MEASURED = Array.from({ length: ROUNDS }, (_, i) => `roll-${i + 1}`);
const APPS = [WARM_UP, ...MEASURED];
/** Nodes (or edge watchers) set up at the same time. */
const PARALLEL = 5;


// ---- the application ------------------------------------------------------------------------------

const actorIds = (app: string): string[] => Array.from({ length: ACTORS }, (_, i) => `${app}-a${i + 1}`);

/** The manifest `cairn apply -f` would be given: ACTORS idle inline actors on every edge. */
function rolloutManifest(app: string, edges: readonly string[]): string {
  const actors = actorIds(app).map((id) => `    - id: ${id}\n      behaviour: { module: ./rollout-behaviour.ts, export: Idle }\n      placement: { sites: [${edges.join(', ')}] }\n`);
  return `apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: ${app} }\nspec:\n  actors:\n${actors.join('')}`;
}

/** The bytes AppStore writes for that manifest. */
function recordBytes(app: string, edges: readonly string[]): Uint8Array {
  const source = `${app}.yaml`;
  const { app: parsed } = parseManifestOrThrow(rolloutManifest(app, edges), source);
  return encodeAppRecord({ v: APP_RECORD_VERSION, app: parsed, appliedAt: Date.now(), source });
}

// ---- raw: KV put → every edge mirror's watch ------------------------------------------------------

async function rawRig(sites: LeafSites): Promise<Rig> {
  const edges = sites.edges.map((e) => e.name);
  // Built up front, so that the CPU measured over the rounds is the put's and the watchers'.
  const records = new Map(APPS.map((app) => [app, recordBytes(app, edges)]));
  const cloudNc = await connect({ servers: sites.cloud.url, noAsyncTraces: true });
  // As AppStore.open creates it, before any edge mirrors it.
  const kv = await new Kvm(jetstream(cloudNc)).create(Buckets.apps, { history: DEFAULT_APP_HISTORY });
  let current: ReturnType<typeof expectArrivals> | undefined;
  const watchers = await inBatches(sites.edges, PARALLEL, async (edge) => {
    const nc = await connect({ servers: edge.url, noAsyncTraces: true });
    const mirror = await openDesiredApps(jetstream(nc), await jetstreamManager(nc), { cloudDomain: CLOUD_DOMAIN });
    const iter = await mirror.watch();
    void (async () => {
      for await (const e of iter) current?.mark(edge.name, e.key);
    })();
    return { nc, iter };
  });
  return {
    async round(app) {
      const bytes = records.get(app)!;
      current = expectArrivals(edges, [app]);
      return timeRound(edges, current, async () => void (await kv.put(app, bytes)));
    },
    async close() {
      for (const w of watchers) w.iter.stop();
      await Promise.all([cloudNc, ...watchers.map((w) => w.nc)].map((nc) => nc.close().catch(() => undefined)));
    },
  };
}

// ---- Cairn: apply → every edge node's 'started' events ----------------------------------------------

interface SiteNode {
  readonly system: ActorSystem;
  readonly controller: AppController;
}

/** A node and its app controller on one site, as deploy/site/start-site.ts starts them (no peers: nothing here sends across sites). */
async function startNode(url: string, site: string, cloudDomain?: string): Promise<SiteNode> {
  const system = await createActorSystem({ servers: url, site, node: `${site}-n1` });
  const controller = await startAppController({ system, appDir: here, ...(cloudDomain === undefined ? {} : { cloudDomain }) });
  return { system, controller };
}

async function cairnRig(sites: LeafSites): Promise<Rig> {
  const edges = sites.edges.map((e) => e.name);
  const nodes: SiteNode[] = [];
  let client: NatsConnection | undefined;
  const close = async (): Promise<void> => {
    for (const n of nodes) await n.controller.stop().catch(() => undefined);
    await Promise.all(nodes.map((n) => n.system.shutdown().catch(() => undefined)));
    await client?.close().catch(() => undefined);
  };
  try {
    // The cloud's node first: its controller creates the cairn_apps bucket the edges mirror.
    nodes.push(await startNode(sites.cloud.url, 'cloud'));
    const edgeNodes = await inBatches(sites.edges, PARALLEL, async (e) => {
      const node = await startNode(e.url, e.name, CLOUD_DOMAIN);
      nodes.push(node);
      return node;
    });
    let current: ReturnType<typeof expectArrivals> | undefined;
    for (const { system } of edgeNodes) {
      system.onEvent((e) => {
        if (e.type === 'started') current?.mark(system.site, e.actor);
      });
    }
    // The operator's own connection to the cloud, as `cairn apply` makes.
    client = await connect({ servers: sites.cloud.url, noAsyncTraces: true });
    const js = jetstream(client);
    return {
      async round(app) {
        const text = rolloutManifest(app, edges);
        current = expectArrivals(edges, actorIds(app));
        const round = await timeRound(edges, current, async () => {
          const result = await (await AppStore.open(js)).apply(text, `${app}.yaml`);
          if (!result.changed) throw new Error(`apply of ${app} changed nothing`);
        });
        await settle(edgeNodes, app);
        return round;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Lets every edge finish the round (its controller idle, its status report sent) before the next
 * one starts, and checks that each edge's controller records the app as running.
 */
async function settle(edgeNodes: readonly SiteNode[], app: string): Promise<void> {
  await Promise.all(
    edgeNodes.map(async ({ system, controller }) => {
      await controller.whenIdle();
      await system.node.nc.flush();
      const state = controller.apps().get(app)?.state;
      if (state !== 'running') throw new Error(`${system.site}: app ${app} is ${state ?? 'absent'} after all its actors started`);
    }),
  );
}

// ---- main -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!Number.isInteger(EDGES) || EDGES < 1 || (kind !== 'raw' && kind !== 'cairn')) throw new Error(`unknown variant ${input.variant}; use raw-<N> or cairn-<N>`);
  const t0 = performance.now();
  const sites = await startLeafSites(EDGES);
  try {
    const serversMs = performance.now() - t0;
    const rig = kind === 'raw' ? await rawRig(sites) : await cairnRig(sites);
    const setupMs = performance.now() - t0;
    try {
      emit({ bench: 'rollout', variant: input.variant, kind, edges: EDGES, actors: kind === 'cairn' ? ACTORS : 0, serversMs, setupMs, ...(await measure(sites, rig, WARM_UP, MEASURED)) });
    } finally {
      await rig.close();
    }
  } finally {
    await sites.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
