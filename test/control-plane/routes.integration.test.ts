// Manifest routes, run by each site's app controller: captured durably on a routed subject,
// forwarded into the target's mailbox with a de-duplication id, acked after the mailbox stored it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import { ActorNode } from '../../kernel/index.ts';
import { applyManifest, deleteApp, planRoutes, RouteExecutor, siteInstances, startAppController } from '../../control-plane/index.ts';
import { parseManifestOrThrow } from '../../control-plane/index.ts';
import { Collector } from '../fixtures/routes/route-actors.ts';
import { Buckets, Streams, decodeValue } from '../../protocols/index.ts';
import { serverForFile } from '../helpers/server-for-file.ts';
import { startTestServer } from '../helpers/nats.ts';
import { freePorts } from '../../deploy/nats-server/index.ts';
import { connectAsync } from 'mqtt';
import type { TestServer } from '../helpers/nats.ts';
import type { CollectorMsg, RouteLedgerMsg } from '../fixtures/routes/route-actors.ts';

const APP_DIR = fileURLToPath(new URL('../fixtures/routes/', import.meta.url));

let server: TestServer;
let nc: NatsConnection;
serverForFile((s, c) => {
  server = s;
  nc = c;
});

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A site's node and app controller, in this process. */
async function startSite(site: string) {
  const system = await createActorSystem({ servers: server.url, site, node: `${site}-n1` });
  const controller = await startAppController({ system, appDir: APP_DIR });
  return {
    system,
    controller,
    stop: async () => {
      await controller.stop();
      await system.shutdown();
    },
  };
}

/** Every site of this file shares the server and so the apps bucket: each app is pinned to its site. */
const collectors = (app: string, site: string): string => `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: ${app} }
spec:
  actors:
    - { id: readings, behaviour: { module: ./route-actors.ts, export: Collector }, placement: { sites: [${site}] } }
    - { id: alarms, behaviour: { module: ./route-actors.ts, export: Collector }, placement: { sites: [${site}] } }
  routes:
    - { from: { mqtt: "${app}/+/vibration/#" }, to: { actor: readings } }
    - { from: { subject: "${app}.*.vibration.alarm" }, to: { actor: alarms } }
`;

async function streamExists(name: string): Promise<boolean> {
  const jsm = await jetstreamManager(nc);
  return jsm.streams.info(name).then(
    () => true,
    () => false,
  );
}

describe('routes', () => {
  it('routes - a publish on a routed subject reaches its actor as published; one matching two routes fans out to both', async () => {
    const site = await startSite('rt-fan');
    try {
      await applyManifest(jetstream(site.system.node.nc), collectors('plant', 'rt-fan'), 'plant.yaml');
      await expect.poll(() => streamExists(Streams.routes('rt-fan', 'plant')), { timeout: 20_000 }).toBe(true);
      const h = natsHeaders();
      h.set('unit', 'mm/s');
      nc.publish('plant.p1.vibration', encode('4.2'), { headers: h });
      nc.publish('plant.p1.vibration.alarm', encode('{"level":"high"}'));
      nc.publish('elsewhere.p1.vibration', encode('not routed'));
      const readings = site.system.ref<CollectorMsg>('readings');
      await expect.poll(async () => (await readings.ask({ type: 'seen' })).length, { timeout: 20_000 }).toBe(2);
      expect(await readings.ask({ type: 'seen' })).toEqual([
        { subject: 'plant.p1.vibration', text: '4.2', route: 0, headers: { unit: 'mm/s' } },
        { subject: 'plant.p1.vibration.alarm', text: '{"level":"high"}', route: 0 },
      ]);
      await expect.poll(async () => site.system.ref<CollectorMsg>('alarms').ask({ type: 'seen' }), { timeout: 20_000 }).toEqual([
        { subject: 'plant.p1.vibration.alarm', text: '{"level":"high"}', route: 1 },
      ]);
      // Forwarded messages leave the capture stream (a WorkQueue).
      const jsm = await jetstreamManager(nc);
      await expect.poll(async () => (await jsm.streams.info(Streams.routes('rt-fan', 'plant'))).state.messages, { timeout: 10_000 }).toBe(0);
    } finally {
      await site.stop();
    }
  }, 60_000);

  it('routes - what is published while the site\u2019s node is down is captured, and handled once it runs again', async () => {
    let site = await startSite('rt-down');
    await applyManifest(jetstream(site.system.node.nc), collectors('mill', 'rt-down'), 'mill.yaml');
    await expect.poll(() => streamExists(Streams.routes('rt-down', 'mill')), { timeout: 20_000 }).toBe(true);
    await site.stop();
    try {
      // No node runs: the capture stream still stores (its ack says so).
      const js = jetstream(nc);
      for (let i = 0; i < 5; i++) await js.publish(`mill.m${i}.vibration`, encode(`r${i}`));
      site = await startSite('rt-down');
      const readings = site.system.ref<CollectorMsg>('readings');
      await expect.poll(async () => (await readings.ask({ type: 'seen' })).map((s) => s.text), { timeout: 30_000 }).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    } finally {
      await site.stop();
    }
  }, 60_000);

  it('routes - a new revision forwards what was captured while the old one stopped; overlapping subjects fail the second app with a code', async () => {
    const site = await startSite('rt-rev');
    try {
      const js = jetstream(site.system.node.nc);
      await applyManifest(js, collectors('press', 'rt-rev'), 'press.yaml');
      await expect.poll(() => site.controller.apps().get('press')?.state, { timeout: 20_000 }).toBe('running');
      const readings = site.system.ref<CollectorMsg>('readings');
      await jetstream(nc).publish('press.p1.vibration', encode('before'));
      await expect.poll(async () => (await readings.ask({ type: 'seen' })).length, { timeout: 20_000 }).toBe(1);
      const revision = site.controller.apps().get('press')!.revision;
      // A new revision (another shutdown time) replaces the tree; publishes go on meanwhile.
      await applyManifest(js, collectors('press', 'rt-rev').replace('export: Collector }, placement', 'export: Collector }, shutdownMs: 500, placement'), 'press.yaml');
      for (let i = 0; i < 20; i++) await jetstream(nc).publish('press.p1.vibration', encode(`during-${i}`));
      await expect.poll(() => site.controller.apps().get('press')?.revision, { timeout: 20_000 }).toBeGreaterThan(revision);
      await expect.poll(async () => (await readings.ask({ type: 'seen' })).map((m) => m.text), { timeout: 20_000 }).toEqual(['before', ...Array.from({ length: 20 }, (_, i) => `during-${i}`)]);

      // Another app capturing the same subjects cannot: it fails with its reason, the first runs on.
      await applyManifest(js, collectors('press', 'rt-rev').replace('name: press', 'name: press-copy').replace(/id: (readings|alarms)/g, 'id: copy-$1').replace(/actor: (readings|alarms)/g, 'actor: copy-$1'), 'copy.yaml');
      await expect.poll(() => site.controller.apps().get('press-copy')?.state, { timeout: 20_000 }).toBe('failed');
      expect(site.controller.apps().get('press-copy')?.error).toMatchObject({ code: 'CAIRN_ROUTE_CAPTURE_FAILED', message: expect.stringContaining('press.*.vibration') });
      expect(site.controller.apps().get('press')?.state).toBe('running');
      await deleteApp(js, 'press-copy');
      await deleteApp(js, 'press');
    } finally {
      await site.stop();
    }
  }, 60_000);

  it('routes - a revision that only adds a route starts capturing it', async () => {
    const site = await startSite('rt-only');
    try {
      const js = jetstream(site.system.node.nc);
      const one = collectors('lathe', 'rt-only').replace(/\n    - \{ from: \{ subject: "lathe[^\n]*/, '');
      await applyManifest(js, one, 'lathe.yaml');
      await expect.poll(() => site.controller.apps().get('lathe')?.state, { timeout: 20_000 }).toBe('running');
      const first = site.controller.apps().get('lathe')!.revision;
      await applyManifest(js, collectors('lathe', 'rt-only'), 'lathe.yaml');
      await expect.poll(() => site.controller.apps().get('lathe')?.revision, { timeout: 20_000 }).toBeGreaterThan(first);
      nc.publish('lathe.l1.vibration.alarm', encode('hot'));
      await expect.poll(async () => (await site.system.ref<CollectorMsg>('alarms').ask({ type: 'seen' })).map((m) => m.text), { timeout: 20_000 }).toEqual(['hot']);
    } finally {
      await site.stop();
    }
  }, 60_000);

  it('routes - a site that starts after its app was deleted removes the app\u2019s capture stream', async () => {
    let site = await startSite('rt-sweep');
    const stream = Streams.routes('rt-sweep', 'drill');
    await applyManifest(jetstream(site.system.node.nc), collectors('drill', 'rt-sweep'), 'drill.yaml');
    await expect.poll(() => streamExists(stream), { timeout: 20_000 }).toBe(true);
    await site.stop(); // a node stopping keeps capturing: the stream stays
    expect(await streamExists(stream)).toBe(true);
    await deleteApp(jetstream(nc), 'drill');
    site = await startSite('rt-sweep');
    try {
      expect(await streamExists(stream)).toBe(false);
    } finally {
      await site.stop();
    }
  }, 60_000);

  it('routes - deleting the app stops its routes and removes their capture stream', async () => {
    const site = await startSite('rt-del');
    try {
      const js = jetstream(site.system.node.nc);
      await applyManifest(js, collectors('kiln', 'rt-del'), 'kiln.yaml');
      const stream = Streams.routes('rt-del', 'kiln');
      await expect.poll(() => streamExists(stream), { timeout: 20_000 }).toBe(true);
      await deleteApp(js, 'kiln');
      await expect.poll(() => streamExists(stream), { timeout: 20_000 }).toBe(false);
      // Nothing captures the subject any more.
      await expect(jetstream(nc).publish('kiln.k1.vibration', encode('x'), { timeout: 1_000 })).rejects.toThrow();
    } finally {
      await site.stop();
    }
  }, 60_000);

  it('routes - a node killed mid-forward loses and duplicates nothing', async () => {
    const siteName = 'rt-crash';
    const total = 4_000;
    const stream = Streams.routes(siteName, 'orders');
    let node = await startRouteNode(siteName);
    const client = await ActorNode.connect({ servers: server.url, site: siteName, node: 'rt-client' });
    const jsm = await jetstreamManager(nc);
    const captured = async (): Promise<number> => (await jsm.streams.info(stream)).state.messages;
    try {
      await applyManifest(jetstream(nc), `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: orders }
spec:
  actors:
    - { id: ledger, behaviour: { module: ./route-actors.ts, export: RouteLedger }, placement: { sites: [rt-crash] } }
  routes:
    - { from: { subject: "orders.>" }, to: { actor: ledger } }
`, 'orders.yaml');
      await expect.poll(() => streamExists(stream), { timeout: 20_000 }).toBe(true);
      const js = jetstream(nc);
      // Captured while no node runs, so that the kills hit the catch-up (a running forwarder moves
      // a batch per round trip and keeps up with the publisher).
      node.kill('SIGKILL');
      await once(node, 'exit');
      // Every publish the capture stream acked must be applied exactly once.
      for (let i = 0; i < total; i += 1_000) await Promise.all(Array.from({ length: 1_000 }, (_, k) => js.publish(`orders.o${(i + k) % 7}`, encode(`k${i + k}`))));
      node = await startRouteNode(siteName);
      const leftAtKill: number[] = [];
      for (const forwarded of [300, 1_000, 1_800]) {
        await expect.poll(async () => total - (await captured()), { timeout: 30_000, interval: 10 }).toBeGreaterThanOrEqual(forwarded);
        node.kill('SIGKILL');
        await once(node, 'exit');
        leftAtKill.push(await captured());
        node = await startRouteNode(siteName);
      }
      // The kills hit the forwarding itself: captured messages were still waiting to be forwarded.
      expect(leftAtKill.some((n) => n > 0)).toBe(true);
      await expect.poll(() => storedCount(siteName), { timeout: 90_000, interval: 200 }).toBe(total);
      const applied = await client.ref<RouteLedgerMsg>('ledger').ask({ type: 'applied' }, { timeout: 30_000 });
      expect(Object.keys(applied)).toHaveLength(total);
      expect(Object.entries(applied).filter(([, n]) => n !== 1)).toEqual([]);
    } finally {
      node.kill('SIGTERM');
      await once(node, 'exit');
      await client.stop();
    }
  }, 240_000);

  it('routes - a capture forwarded again after a crash before its ack is stored once (its de-duplication id)', async () => {
    const system = await createActorSystem({ servers: server.url, site: 'rt-dedup', node: 'rt-dedup-n1' });
    try {
      await system.spawn(Collector, { id: 'sink' });
      const app = parseManifestOrThrow(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: dd }
spec:
  actors: [{ id: sink, behaviour: { module: ./route-actors.ts, export: Collector } }]
  routes: [{ from: { subject: "dd.>" }, to: { actor: sink } }]
`).app;
      const plan = planRoutes('rt-dedup', app, siteInstances(app.spec.actors))!;
      let crashes = 1;
      const tells: string[] = [];
      const executor: RouteExecutor = new RouteExecutor({
        site: 'rt-dedup',
        js: system.node.js,
        jsm: system.node.jsm,
        log: system.node.log,
        tell: async (instance, items, opts) => {
          await system.ref(instance).tellAll(items.map((i) => ({ msg: i.body, id: i.id })), opts);
          tells.push(...items.map((i) => i.id));
          // The node dies after the mailbox stored the message and before the capture was acked.
          if (crashes-- > 0) {
            void executor.pause('dd');
            throw new Error('killed before the ack');
          }
        },
      });
      await executor.run('dd', plan);
      await jetstream(nc).publish('dd.a', encode('first'));
      await expect.poll(() => tells.length, { timeout: 10_000 }).toBe(1);
      await expect.poll(async () => (await (await jetstreamManager(nc)).consumers.info(plan.stream, 'cairn-routes')).num_ack_pending, { timeout: 10_000 }).toBe(1);
      // The next leader forwards it again, then what came after.
      await executor.run('dd', plan);
      await jetstream(nc).publish('dd.b', encode('second'));
      await expect.poll(async () => (await system.ref<CollectorMsg>('sink').ask({ type: 'seen' })).map((m) => m.text), { timeout: 20_000 }).toEqual(['first', 'second']);
      expect(tells[0]).toBe(tells[1]);
      expect(tells).toHaveLength(3);
      await executor.remove('dd');
    } finally {
      await system.shutdown();
    }
  }, 60_000);
});

async function startRouteNode(site: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/routes/route-node.ts', server.url, site], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CAIRN_LOG_LEVEL: 'error' } });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) if (line === 'ready') break;
  return child;
}

/** Keys the ledger applied, from its persisted state in KV. */
async function storedCount(site: string): Promise<number> {
  const kv = await new Kvm(jetstream(nc)).open(Buckets.state(site));
  const entry = await kv.get('ledger');
  if (!entry || entry.value.length === 0) return 0;
  const { state } = decodeValue(entry.value) as { state: { applied: Record<string, number> } };
  return Object.keys(state.applied).length;
}

describe('routes from MQTT', () => {
  it('routes - a QoS 1 publish of an MQTT device on the site\u2019s listener reaches the actor its topic filter routes to', async () => {
    const [mqttPort] = await freePorts(1);
    const mqttServer = await startTestServer({ extra: { mqtt: { host: '127.0.0.1', port: mqttPort! } } });
    const system = await createActorSystem({ servers: mqttServer.url, site: 'rt-mqtt', node: 'rt-mqtt-n1' });
    const controller = await startAppController({ system, appDir: APP_DIR });
    const device = await connectAsync(`mqtt://127.0.0.1:${mqttPort!}`, { clientId: 'sensor-7', protocolVersion: 4, clean: true, reconnectPeriod: 0 });
    try {
      await applyManifest(jetstream(system.node.nc), collectors('plant', 'rt-mqtt'), 'plant.yaml');
      const mqttServerJsm = await jetstreamManager(system.node.nc);
      await expect.poll(() => mqttServerJsm.streams.info(Streams.routes('rt-mqtt', 'plant')).then(() => true, () => false), { timeout: 20_000 }).toBe(true);
      await device.publishAsync('plant/p7/vibration', '3.9', { qos: 1 });
      await device.publishAsync('plant/p7/vibration/x', '4.0', { qos: 1 });
      await device.publishAsync('other/p7/vibration', 'not routed', { qos: 1 });
      await expect.poll(async () => system.ref<CollectorMsg>('readings').ask({ type: 'seen' }), { timeout: 20_000 }).toEqual([
        // nats-server marks a QoS 1 MQTT publish with the Nmqtt-Pub header.
        { subject: 'plant.p7.vibration', text: '3.9', route: 0, headers: { 'Nmqtt-Pub': '1' } },
        { subject: 'plant.p7.vibration.x', text: '4.0', route: 0, headers: { 'Nmqtt-Pub': '1' } },
      ]);
    } finally {
      await device.endAsync(true).catch(() => undefined);
      await controller.stop();
      await system.shutdown();
      await mqttServer.cleanup();
    }
  }, 60_000);
});

