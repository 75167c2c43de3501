// Device messages through the hub's site are durable: QoS 1 publishes are in the server's MQTT
// store before their PUBACK and reach the routed actor once, whether its node is down while they
// are sent, the node is killed with -9 while devices publish, or the whole site process is.
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { applyManifest, parseManifestOrThrow, planRoutes, RouteExecutor, siteInstances, startAppController } from '../../../control-plane/index.ts';
import type { RoutePlan, RouteTell } from '../../../control-plane/index.ts';
import { freePorts, withDeviceAccess } from '../../../deploy/nats-server/index.ts';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import { ActorNode, defineActor } from '../../../kernel/index.ts';
import { CairnClient } from '../../../client/index.ts';
import { Streams } from '../../../protocols/index.ts';
import type { ActorEvent, RoutedMessage } from '../../../protocols/index.ts';
import { startTestServer } from '../../helpers/nats.ts';
import { runBin, startBin } from '../../deploy/cli/cli-harness.ts';
import type { BinProcess } from '../../deploy/cli/cli-harness.ts';
import type { TallyCounts } from '../../fixtures/hub/device-tally.ts';

const HUB_FIXTURES = fileURLToPath(new URL('../../fixtures/hub/', import.meta.url));
const ROUTE_FIXTURES = fileURLToPath(new URL('../../fixtures/routes/', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const device = async (port: number, clientId: string): Promise<MqttClient> => {
  const c = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, username: 'dev', password: 'pw', protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 10_000 });
  cleanups.push(() => c.endAsync(true));
  return c;
};

/** A server whose MQTT listener lets user `dev` (password `pw`) publish under `meter/`, and a client of it. */
async function meterServer(): Promise<{ server: Awaited<ReturnType<typeof startTestServer>>; nc: Awaited<ReturnType<typeof connect>>; mqttPort: number }> {
  const [mqttPort] = (await freePorts(1)) as [number];
  const server = await startTestServer({
    extra: withDeviceAccess({}, [{ actor: 'hub', mqtt: { port: mqttPort, host: '127.0.0.1' }, principals: [{ username: 'dev', password: 'pw', publish: ['meter/#'], subscribe: [] }] }], 'x'),
  });
  cleanups.push(() => server.cleanup());
  const nc = await connect({ servers: server.url });
  cleanups.push(() => nc.close());
  return { server, nc, mqttPort };
}

/** Application `meters`: one actor of `export` (in `module`), routed what devices publish under `meter/`. */
const metersApp = (module: string, exported: string, actor: string): string => `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: meters }
spec:
  actors:
    - { id: ${actor}, behaviour: { module: ${module}, export: ${exported} } }
  routes:
    - { from: { mqtt: "meter/#" }, to: { actor: ${actor} } }
`;

/**
 * A node of `site` and a route executor for the meters app (its route from `meter/#` to tally) with
 * `tell` as the mailboxes, a capture limit of 100 and a fill check every 50 ms; the events about the
 * MQTT store (the capture stream gets its own copy of each publish, and its own alert).
 */
async function storeRoutes(url: string, site: string, tell: RouteTell): Promise<{ executor: RouteExecutor; plan: RoutePlan; events: ActorEvent[] }> {
  const system = await createActorSystem({ servers: url, site, node: `${site}-n1` });
  cleanups.push(() => system.shutdown());
  const app = parseManifestOrThrow(metersApp('./device-tally.ts', 'DeviceTally', 'tally')).app;
  const plan = planRoutes(site, app, siteInstances(app.spec.actors))!;
  const events: ActorEvent[] = [];
  const { js, jsm, nc, log } = system.node;
  const executor = new RouteExecutor({ site, js, jsm, nc, log, captureLimits: { maxMsgs: 100 }, fillCheckMs: 50, tell, onEvent: (e) => void ('stream' in e && e.stream === '$MQTT_msgs' && events.push(e)) });
  return { executor, plan, events };
}

/** A node of `site` with its app controller (the hub fixtures' modules); `stop` stops both. */
async function startMetersNode(url: string, site: string): Promise<{ system: Awaited<ReturnType<typeof createActorSystem>>; stop: () => Promise<void> }> {
  const system = await createActorSystem({ servers: url, site, node: `${site}-n1` });
  const controller = await startAppController({ system, appDir: HUB_FIXTURES });
  return { system, stop: async () => (await controller.stop(), await system.shutdown()) };
}

/** The payloads of routed items, as text. */
function payloads(items: readonly { readonly body: unknown }[]): string[] {
  return items.map((i) => new TextDecoder().decode((i.body as { data: Uint8Array }).data));
}

/** How many device publishes `site`'s consumer for the meters app holds on the MQTT store (pending and unacked). */
const heldInStore = (nc: Awaited<ReturnType<typeof connect>>, site: string) => async (): Promise<number> => {
  const info = await (await jetstreamManager(nc)).consumers.info('$MQTT_msgs', `cairn-rt-${site}-meters`);
  return info.num_pending + info.num_ack_pending;
};

/** How many device publishes the `dropped` events among `events` count. */
const droppedIn = (events: readonly ActorEvent[]) => (): number => events.reduce((n, e) => n + (e.type === 'dropped' ? e.count : 0), 0);

/** Runs the meters app's routes with their fill watch (stopped at cleanup), then one device publishes 1-130 at QoS 1 on meter/1/kwh. */
async function runAndPublish130(executor: RouteExecutor, plan: RoutePlan, mqttPort: number, clientId: string): Promise<void> {
  await executor.run('meters', plan);
  const watch = new AbortController();
  const watching = executor.watchFill(watch.signal);
  cleanups.push(async () => (watch.abort(), await watching, await executor.stop()));
  const dev = await device(mqttPort, clientId);
  for (let i = 1; i <= 130; i++) await dev.publishAsync('meter/1/kwh', String(i), { qos: 1 });
}

describe('hub uplink', () => {
  it('uplink - 10,000 QoS 1 publishes made while the routed actor\u2019s node is down are each handled once after it comes back', async () => {
    const { server, nc, mqttPort } = await meterServer();
    const startNode = () => startMetersNode(server.url, 'meters');
    let node = await startNode();
    await applyManifest(jetstream(nc), metersApp('./device-tally.ts', 'DeviceTally', 'tally'));
    const jsm = await jetstreamManager(nc);
    await expect.poll(() => jsm.streams.info(Streams.routes('meters', 'meters')).then(() => true, () => false), { timeout: 20_000 }).toBe(true);
    await node.stop();

    // One QoS 1 connection waits for each store: ten devices publish side by side.
    const DEVICES = 10;
    const EACH = 1_000;
    await Promise.all(
      Array.from({ length: DEVICES }, async (_, d) => {
        const dev = await device(mqttPort, `meter-${d}`);
        for (let n = 0; n < EACH; n++) await dev.publishAsync(`meter/${d}/kwh`, `${d}-${n}`, { qos: 1 });
      }),
    );
    // Each was in the server's MQTT store, for this route, when its PUBACK came (the capture stream
    // gets its copy through its own queue, a moment later, and leaves it to the store's forwarder).
    expect((await jsm.streams.info('$MQTT_msgs')).state.messages).toBe(DEVICES * EACH);

    node = await startNode();
    cleanups.push(() => node.stop());
    await expect.poll(() => node.system.ref('tally').ask({ type: 'counts' } as never, { timeout: 5_000 }) as Promise<TallyCounts>, { timeout: 120_000, interval: 500 }).toEqual({ unique: DEVICES * EACH, repeats: 0 });
  }, 240_000);

  it('uplink - a new revision that routes to a second actor makes the store consumer ack each message again; what was published while the node was down reaches each actor once', async () => {
    const { server, nc, mqttPort } = await meterServer();
    const startNode = () => startMetersNode(server.url, 'handover');
    let node = await startNode();
    await applyManifest(jetstream(nc), metersApp('./device-tally.ts', 'DeviceTally', 'tally'));
    const jsm = await jetstreamManager(nc);
    const policy = () => jsm.consumers.info('$MQTT_msgs', 'cairn-rt-handover-meters').then((c) => c.config.ack_policy, () => undefined);
    await expect.poll(policy, { timeout: 20_000 }).toBe('all');
    await node.stop();
    await applyManifest(
      jetstream(nc),
      `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: meters }
spec:
  actors:
    - { id: tally, behaviour: { module: ./device-tally.ts, export: DeviceTally } }
    - { id: tally2, behaviour: { module: ./device-tally.ts, export: DeviceTally } }
  routes:
    - { from: { mqtt: "meter/0/#" }, to: { actor: tally } }
    - { from: { mqtt: "meter/1/#" }, to: { actor: tally2 } }
`,
    );
    await Promise.all(
      [0, 1].map(async (d) => {
        const dev = await device(mqttPort, `handover-${d}`);
        for (let n = 0; n < 200; n++) await dev.publishAsync(`meter/${d}/kwh`, `${d}-${n}`, { qos: 1 });
      }),
    );
    expect((await jsm.streams.info('$MQTT_msgs')).state.messages).toBe(400);
    node = await startNode();
    cleanups.push(() => node.stop());
    const counts = (actor: string) => () => node.system.ref(actor).ask({ type: 'counts' } as never, { timeout: 5_000 }) as Promise<TallyCounts>;
    await expect.poll(counts('tally'), { timeout: 60_000, interval: 300 }).toEqual({ unique: 200, repeats: 0 });
    await expect.poll(counts('tally2'), { timeout: 30_000, interval: 300 }).toEqual({ unique: 200, repeats: 0 });
    expect(await policy()).toBe('explicit');
    const consumers: string[] = [];
    for await (const c of jsm.consumers.list('$MQTT_msgs')) consumers.push(c.name);
    expect(consumers).toEqual(['cairn-rt-handover-meters']);
  }, 120_000);

  it('uplink - each QoS 1 publish is in the server\u2019s MQTT store, kept for the route, when its PUBACK arrives', async () => {
    const [mqttPort] = (await freePorts(1)) as [number];
    const server = await startTestServer({
      extra: withDeviceAccess({}, [{ actor: 'hub', mqtt: { port: mqttPort, host: '127.0.0.1' }, principals: [{ username: 'dev', password: 'pw', publish: ['gauge/#'], subscribe: [] }] }], 'x'),
    });
    cleanups.push(() => server.cleanup());
    const nc = await connect({ servers: server.url });
    cleanups.push(() => nc.close());
    const system = await createActorSystem({ servers: server.url, site: 'gauges', node: 'gauges-n1' });
    const controller = await startAppController({ system, appDir: HUB_FIXTURES });
    await applyManifest(jetstream(nc), `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: gauges }
spec:
  actors:
    - { id: tally, behaviour: { module: ./device-tally.ts, export: DeviceTally } }
  routes:
    - { from: { mqtt: "gauge/#" }, to: { actor: tally } }
`);
    const jsm = await jetstreamManager(nc);
    const pending = async (): Promise<number> => {
      const info = await jsm.consumers.info('$MQTT_msgs', 'cairn-rt-gauges-gauges');
      return info.num_pending + info.num_ack_pending;
    };
    await expect.poll(() => pending().then(() => true, () => false), { timeout: 20_000 }).toBe(true);
    // Nothing forwards while the node is down: what the store holds for the route stays there.
    await controller.stop();
    await system.shutdown();
    const dev = await device(mqttPort, 'gauge-1');
    const stored = async (): Promise<number> => (await jsm.streams.info('$MQTT_msgs')).state.messages;
    for (let i = 1; i <= 50; i++) {
      await dev.publishAsync(`gauge/1/bar`, String(i), { qos: 1 });
      // Stored before the PUBACK, no waiting (the consumer's own counts follow a moment later).
      expect(await stored()).toBe(i);
    }
    await expect.poll(pending).toBe(50);
    const back = await createActorSystem({ servers: server.url, site: 'gauges', node: 'gauges-n1' });
    const again = await startAppController({ system: back, appDir: HUB_FIXTURES });
    cleanups.push(async () => (await again.stop(), await back.shutdown()));
    await expect.poll(() => back.ref('tally').ask({ type: 'counts' } as never, { timeout: 5_000 }), { timeout: 30_000, interval: 250 }).toEqual({ unique: 50, repeats: 0 });
    await expect.poll(pending, { timeout: 10_000 }).toBe(0);
  }, 90_000);

  it('uplink - QoS 1 device publishes reach their actor straight from the MQTT store, in order, the site mailbox and the capture stream storing none; one its handler refuses is dead-lettered as a routed message that a replay hands to the actor; QoS 0 and plain publishes are taken best effort', async () => {
    const { server, nc, mqttPort } = await meterServer();
    const system = await createActorSystem({ servers: server.url, site: 'direct', node: 'direct-n1' });
    const controller = await startAppController({ system, appDir: HUB_FIXTURES });
    cleanups.push(async () => (await controller.stop(), await system.shutdown()));
    await applyManifest(jetstream(nc), metersApp('./device-tally.ts', 'PickyMeter', 'picky'));
    const jsm = await jetstreamManager(nc);
    await expect.poll(() => jsm.consumers.info('$MQTT_msgs', 'cairn-rt-direct-meters').then(() => true, () => false), { timeout: 20_000 }).toBe(true);
    const mailboxSeq = async (): Promise<number> => (await jsm.streams.info(Streams.mailbox('direct'))).state.last_seq;
    const before = await mailboxSeq();
    const dev = await device(mqttPort, 'meter-direct');
    const sent = [...Array.from({ length: 200 }, (_, i) => `r${i}`), 'poison', 'r200'];
    for (const payload of sent) await dev.publishAsync('meter/1/kwh', payload, { qos: 1 });
    const seen = (): Promise<string[]> => system.ref('picky').ask({ type: 'seen' } as never, { timeout: 5_000 }) as Promise<string[]>;
    await expect.poll(seen, { timeout: 30_000, interval: 200 }).toEqual(sent.filter((p) => p !== 'poison'));
    // Handed over from the store: nothing was copied into the mailbox (the asks above went through it: 1 each at most).
    expect((await mailboxSeq()) - before).toBeLessThan(sent.length / 4);
    await expect.poll(async () => (await jsm.consumers.info('$MQTT_msgs', 'cairn-rt-direct-meters')).num_ack_pending, { timeout: 10_000 }).toBe(0);
    // One actor takes every route: its publishes are acked together (ack policy all), the last ack covering the poison one's dead letter too.
    expect((await jsm.consumers.info('$MQTT_msgs', 'cairn-rt-direct-meters')).config.ack_policy).toBe('all');

    const client = await CairnClient.connect({ servers: server.url, site: 'direct' });
    cleanups.push(() => client.close());
    const letters = await client.listDeadLetters({ actor: 'picky' });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ actor: 'picky', subject: 'cairn.mbx.direct.picky', envelope: { type: 'routed', body: { type: 'routed', subject: 'meter.1.kwh', route: 0 } } });
    expect(letters[0]!.reason).toContain('payload poison on meter.1.kwh refused');
    await system.ref('picky').tell({ type: 'heal' } as never);
    await client.replayDeadLetter(letters[0]!.seq);
    await expect.poll(seen, { timeout: 10_000, interval: 100 }).toEqual([...sent.filter((p) => p !== 'poison'), 'poison']);

    // The route's capture stream stored no copy of them: it leaves the MQTT topics to the store.
    const capture = await jsm.streams.info(Streams.routes('direct', 'meters'));
    expect(capture.config.subjects).toEqual(['cairn.routes.none.direct.meters']);
    expect(capture.state.last_seq).toBe(0);
    // QoS 0 publishes (and plain NATS ones) on the routed topic are taken best effort while the app runs.
    await dev.publishAsync('meter/1/kwh', 'q0', { qos: 0 });
    await expect.poll(seen, { timeout: 10_000, interval: 100 }).toEqual([...sent.filter((p) => p !== 'poison'), 'poison', 'q0']);
    nc.publish('meter.1.kwh', 'plain');
    await expect.poll(seen, { timeout: 10_000, interval: 100 }).toEqual([...sent.filter((p) => p !== 'poison'), 'poison', 'q0', 'plain']);
  });

  it('uplink - a capture stream that its actor does not drain raises a filling event at 80 %, before it drops anything', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.cleanup());
    const nc = await connect({ servers: server.url });
    cleanups.push(() => nc.close());
    // The site's mailbox refuses a fourth waiting message: the forwarder waits, and captures pile up.
    const system = await createActorSystem({ servers: server.url, site: 'fill', node: 'fill-n1', mailbox: { capacity: 3 } });
    const events: ActorEvent[] = [];
    system.onEvent((e) => void (e.type === 'filling' && events.push(e)));
    const controller = await startAppController({ system, appDir: HUB_FIXTURES, routeCapture: { maxMsgs: 100 }, fillCheckMs: 100 });
    cleanups.push(async () => (await controller.stop(), await system.shutdown()));
    await applyManifest(jetstream(nc), `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: fill }
spec:
  actors:
    - { id: stuck, behaviour: { module: ./device-tally.ts, export: Stuck } }
  routes:
    - { from: { subject: "fill.>" }, to: { actor: stuck } }
`);
    const jsm = await jetstreamManager(nc);
    const stream = Streams.routes('fill', 'fill');
    await expect.poll(() => jsm.streams.info(stream).then(() => true, () => false), { timeout: 20_000 }).toBe(true);
    for (let i = 0; i < 70; i++) nc.publish(`fill.${i}`, String(i));
    await nc.flush();
    // Below 80 %: nothing yet.
    await new Promise((r) => setTimeout(r, 500));
    expect(events).toEqual([]);
    for (let i = 70; i < 90; i++) nc.publish(`fill.${i}`, String(i));
    await nc.flush();
    await expect.poll(() => events.length, { timeout: 10_000 }).toBe(1);
    expect(events[0]).toMatchObject({ type: 'filling', actor: 'stuck', stream, limit: 'messages', code: 'CAIRN_ROUTE_CAPTURE_FILLING' });
    expect((events[0] as { used: number }).used).toBeGreaterThanOrEqual(0.8);
    // Raised before anything was dropped: all 90 are still captured or were forwarded.
    const info = await jsm.streams.info(stream);
    expect(info.state.messages).toBeLessThan(100);
    expect(info.state.last_seq).toBe(90);
  }, 60_000);

  it('uplink - device publishes an app does not forward raise a filling event at 80 % of the limit on the MQTT store, then the oldest past it are dropped and counted; the newest are forwarded', async () => {
    const { server, nc, mqttPort } = await meterServer();
    const forwarded: string[] = [];
    const { executor, plan, events } = await storeRoutes(server.url, 'held', async (_instance, items) => void forwarded.push(...payloads(items)));
    // The app is being replaced (or failed): its routes capture, nothing forwards.
    await executor.run('meters', plan);
    await executor.pause('meters');
    const watch = new AbortController();
    const watching = executor.watchFill(watch.signal);
    cleanups.push(async () => (watch.abort(), await watching));
    const dev = await device(mqttPort, 'held-1');
    const publish = async (from: number, to: number): Promise<void> => {
      for (let i = from; i <= to; i++) await dev.publishAsync('meter/1/kwh', String(i), { qos: 1 });
    };
    const held = heldInStore(nc, 'held');
    await publish(1, 70);
    await expect.poll(held).toBe(70);
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toEqual([]);
    await publish(71, 90);
    await expect.poll(() => events.length, { timeout: 10_000 }).toBe(1);
    expect(events[0]).toMatchObject({ type: 'filling', actor: 'tally', stream: '$MQTT_msgs', limit: 'messages', code: 'CAIRN_ROUTE_CAPTURE_FILLING' });
    // Raised before anything was dropped (the consumer's count of the last publishes may lag a moment).
    await expect.poll(held).toBe(90);
    await publish(91, 130);
    // Dropped as the limit is passed (one check may see part of the 40), each drop counted.
    const dropped = droppedIn(events);
    await expect.poll(dropped, { timeout: 10_000 }).toBe(30);
    expect(events.find((e) => e.type === 'dropped')).toMatchObject({ actor: 'tally', stream: '$MQTT_msgs', code: 'CAIRN_ROUTE_CAPTURE_DROPPED' });
    expect(await held()).toBe(100);
    // The app runs again: the newest 100 reach it, in order.
    await executor.run('meters', plan);
    await expect.poll(() => forwarded.length, { timeout: 20_000 }).toBe(100);
    expect(forwarded).toEqual(Array.from({ length: 100 }, (_, i) => String(31 + i)));
    await executor.remove('meters');
  }, 90_000);

  it('uplink - device publishes held for a running app whose mailbox stays full are cut to the limit too: the oldest dropped and counted, the forwarder goes on with the newest in order', async () => {
    const { server, nc, mqttPort } = await meterServer();
    const forwarded: string[] = [];
    let full = true;
    // The actor's mailbox refuses everything until it is drained.
    const { executor, plan, events } = await storeRoutes(server.url, 'slow', async (_instance, items) => {
      if (full) throw Object.assign(new Error("actor tally's mailbox is full"), { code: 'CAIRN_MAILBOX_FULL' });
      forwarded.push(...payloads(items));
    });
    await runAndPublish130(executor, plan, mqttPort, 'slow-1');
    const held = heldInStore(nc, 'slow');
    const dropped = droppedIn(events);
    await expect.poll(dropped, { timeout: 15_000 }).toBe(30);
    expect(await held()).toBe(100);
    expect(forwarded).toEqual([]);
    // The mailbox takes again: the forwarder, still running, hands over the newest 100 in order.
    full = false;
    await expect.poll(() => forwarded.length, { timeout: 30_000 }).toBe(100);
    expect(forwarded).toEqual(Array.from({ length: 100 }, (_, i) => String(31 + i)));
    await expect.poll(held, { timeout: 10_000 }).toBe(0);
  }, 90_000);

  it('uplink - handed straight from the MQTT store to an actor that does not keep up: cut to the limit, what waited goes back to the store and comes once, in order', async () => {
    const { server, nc, mqttPort } = await meterServer();
    const site = 'slowdirect';
    const system = await createActorSystem({ servers: server.url, site, node: `${site}-n1` });
    cleanups.push(() => system.shutdown());
    // The actor holds its first message until the gate opens; the rest wait in its queue.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const handled: string[] = [];
    await system.spawn(
      defineActor<RoutedMessage>({
        name: 'gated',
        receive: async (msg) => {
          await gate;
          handled.push(new TextDecoder().decode(msg.data));
        },
      }),
      { id: 'tally' },
    );
    const app = parseManifestOrThrow(metersApp('./device-tally.ts', 'DeviceTally', 'tally')).app;
    const plan = planRoutes(site, app, siteInstances(app.spec.actors))!;
    const events: ActorEvent[] = [];
    const { js, jsm, nc: nodeNc, log } = system.node;
    const executor = new RouteExecutor({
      ...{ site, js, jsm, nc: nodeNc, log, captureLimits: { maxMsgs: 100 }, fillCheckMs: 50 },
      tell: () => Promise.reject(new Error('not forwarded: handed over directly')),
      direct: (source) => system.node.deliverFrom(source),
      onEvent: (e) => void ('stream' in e && e.stream === '$MQTT_msgs' && events.push(e)),
    });
    await runAndPublish130(executor, plan, mqttPort, 'slowdirect-1');
    await expect.poll(droppedIn(events), { timeout: 15_000 }).toBe(30);
    const held = heldInStore(nc, site);
    expect(await held()).toBe(100);
    open();
    // The first was in hand when the cut came (counted among the dropped, handled all the same); 2-30
    // were dropped; 31-130 come once each, in order.
    await expect.poll(() => handled.length, { timeout: 30_000 }).toBe(101);
    expect(handled).toEqual(['1', ...Array.from({ length: 100 }, (_, i) => String(31 + i))]);
    await expect.poll(held, { timeout: 10_000 }).toBe(0);
    expect(handled.length).toBe(101);
  }, 90_000);

  it('uplink - kill -9 of the node while devices publish QoS 1 loses none of the PUBACKed messages, and handles none twice', async () => {
    const site = 'meters-kill';
    const { server, nc, mqttPort } = await meterServer();
    // The site's only node, in a process of its own (test/fixtures/routes/route-node.ts).
    const startNode = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/routes/route-node.ts', server.url, site], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CAIRN_LOG_LEVEL: 'error' } });
      cleanups.push(async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGKILL');
        await once(child, 'exit');
      });
      for await (const line of createInterface({ input: child.stdout! })) if (line === 'ready') break;
      return child;
    };
    let node = await startNode();
    await applyManifest(jetstream(nc), metersApp('./route-actors.ts', 'RouteLedger', 'ledger'));
    const jsm = await jetstreamManager(nc);
    const stream = Streams.routes(site, 'meters');
    await expect.poll(() => jsm.streams.info(stream).then(() => true, () => false), { timeout: 20_000 }).toBe(true);

    // Four devices publish 500 each, paced, and the node is killed while they do.
    const acked: string[] = [];
    const publishing = Array.from({ length: 4 }, async (_, d) => {
      const dev = await device(mqttPort, `meter-${d}`);
      for (let n = 0; n < 500; n++) {
        await dev.publishAsync(`meter/${d}/kwh`, `${d}-${n}`, { qos: 1 });
        acked.push(`${d}-${n}`);
        await new Promise((r) => setTimeout(r, 2));
      }
    });
    await expect.poll(() => acked.length, { timeout: 30_000, interval: 5 }).toBeGreaterThanOrEqual(300);
    node.kill('SIGKILL');
    await once(node, 'exit');
    const atKill = acked.length;
    node = await startNode();
    await Promise.all(publishing);
    // The kill came mid-stream: devices went on publishing while no node ran.
    expect(atKill).toBeLessThan(2_000);
    expect(acked).toHaveLength(2_000);

    const client = await ActorNode.connect({ servers: server.url, site, node: 'meters-kill-client' });
    cleanups.push(() => client.stop());
    const applied = (): Promise<Record<string, number>> => client.ref('ledger').ask({ type: 'applied' } as never, { timeout: 30_000 }) as Promise<Record<string, number>>;
    // Every acknowledged payload handled exactly once (a missing one is listed with 0, a repeat with its count).
    const wrong = async (): Promise<Record<string, number>> => {
      const a = await applied();
      return Object.fromEntries(acked.filter((p) => a[p] !== 1).map((p) => [p, a[p] ?? 0]));
    };
    await expect.poll(wrong, { timeout: 90_000, interval: 500 }).toEqual({});
    expect(Object.entries(await applied()).filter(([, c]) => c !== 1)).toEqual([]);
  }, 240_000);

  it('uplink - kill -9 of cairn up (node and nats-server) while devices publish QoS 1 loses none of the PUBACKed messages, and handles none twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-hub-kill-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const [mqttPort] = (await freePorts(1)) as [number];
    const args = ['up', '--data-dir', dir, '--example', 'none', '--app-dir', ROUTE_FIXTURES];
    const up = async (): Promise<{ proc: BinProcess; url: string }> => {
      const proc = startBin(args);
      cleanups.push(async () => (proc.child.kill('SIGINT'), await proc.exited));
      await proc.stdout.waitFor(/^ready:/, 60_000).catch((err: Error) => {
        throw new Error(`${err.message}\nstderr:\n${proc.stderr.lines.slice(-15).join('\n')}`);
      });
      return { proc, url: (JSON.parse(await readFile(join(dir, 'cairn-up.json'), 'utf8')) as { url: string }).url };
    };
    const first = await up();
    const nc = await connect({ servers: first.url, maxReconnectAttempts: 0 });
    await applyManifest(jetstream(nc), `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: meters }
spec:
  actors:
    - id: hub
      module: cairn/hub
      config:
        listeners: { mqtt: { port: ${mqttPort}, host: 127.0.0.1 } }
        principals: [{ username: dev, password: pw, publish: ["meter/#"] }]
    - { id: ledger, behaviour: { module: ./route-actors.ts, export: RouteLedger } }
  routes:
    - { from: { mqtt: "meter/#" }, to: { actor: ledger } }
`);
    await nc.close().catch(() => undefined);
    await expect.poll(() => device(mqttPort, 'probe').then(() => true, () => false), { timeout: 30_000, interval: 250 }).toBe(true);

    // Four devices publish until the site dies under them; what got a PUBACK is recorded.
    const acked: string[] = [];
    const publishing = Array.from({ length: 4 }, async (_, d) => {
      const dev = await device(mqttPort, `meter-${d}`);
      // A publish in flight when the server dies is neither acknowledged nor failed: stop at the close.
      const closed = new Promise<'closed'>((r) => dev.once('close', () => r('closed')));
      for (let n = 0; ; n++) {
        const payload = `${d}-${n}`;
        const outcome = await Promise.race([dev.publishAsync(`meter/${d}/kwh`, payload, { qos: 1 }).then(() => 'acked' as const, () => 'failed' as const), closed]);
        if (outcome !== 'acked') return;
        acked.push(payload);
      }
    });
    await expect.poll(() => acked.length, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(400);
    first.proc.child.kill('SIGKILL');
    await first.proc.exited;
    await Promise.all(publishing);
    const sent = [...acked];

    const second = await up();
    const applied = async (): Promise<Record<string, number>> => {
      const r = await runBin(['ask', 'ledger', '{"type":"applied"}', '--server', second.url, '--site', 'local']);
      return r.code === 0 ? (JSON.parse(r.stdout) as Record<string, number>) : {};
    };
    await expect.poll(async () => { const a = await applied(); return sent.filter((p) => a[p] !== 1).length; }, { timeout: 60_000, interval: 500 }).toBe(0);
    const counts = Object.values(await applied());
    expect(counts.every((c) => c === 1)).toBe(true);
  }, 240_000);
});
