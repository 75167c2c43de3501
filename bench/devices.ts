// Device traffic (issue 13, item 7): MQTT devices → an actor through the site's hub, beside raw
// nats-server MQTT into a plain stream on the same kind of server and beside mosquitto; and the
// bridge's throughput to a remote mosquitto beside mosquitto's own bridge. Each child starts its
// own servers. Devices are mqtt.js connections (MQTT 3.1.1, QoS 1), each waiting for every PUBACK
// (one QoS 1 connection waits for each store), side by side.
// Variants (BENCH_VARIANT):
//   raw-<D>, store-<D>, store+capture-<D>, cairn-<D>, mosquitto-<D>
//                                       throughput: D devices send N messages between them
//   raw-lat, cairn-lat, mosquitto-lat   latency at 1,000 msg/s: 10 devices, 100 msg/s each
//   bridge-cairn, bridge-mosquitto      N messages from the site (or local mosquitto) to a remote mosquitto
import { performance } from 'node:perf_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { applyManifest, startAppController } from '../control-plane/index.ts';
import { freePorts, withDeviceAccess } from '../deploy/nats-server/index.ts';
import { createActorSystem } from '../supervisor-trees/index.ts';
import type { BridgeStatus } from '../actors/index.ts';
import { startTestServer } from '../test/helpers/nats.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { benchInput, cpuMsOf, emit, ownCpuMs, profiled } from './harness.ts';
import { received, sink } from './devices-behaviour.ts';
import { summarize } from './stats.ts';

const input = benchInput();
const N = Number(process.env.BENCH_DEVICES_N ?? 10_000);
const RATE = 1_000;
const LAT_DEVICES = 10;
const LAT_SECONDS = Number(process.env.BENCH_DEVICES_LAT_SECONDS ?? 6);
const WARMUP_SECONDS = 1;
const HERE = fileURLToPath(new URL('.', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];

/** Where devices connect, what counts what they sent, and the pids whose CPU is the server side. */
interface Rig {
  readonly mqttUrl: string;
  readonly auth: { username?: string; password?: string };
  /** Resolves when `n` messages were received at the far end. */
  arrived(n: number): Promise<void>;
  serverPids(): number[];
}

const until = async (check: () => Promise<boolean> | boolean, everyMs = 5): Promise<void> => {
  while (!(await check())) await new Promise((r) => setTimeout(r, everyMs));
};

/** A nats-server whose MQTT listener lets `dev`/`pw` publish under meter/ (what the hub renders). */
async function natsWithMqtt(): Promise<{ url: string; mqttPort: number; pid: number }> {
  const [mqttPort] = (await freePorts(1)) as [number];
  const server = await startTestServer({ extra: withDeviceAccess({}, [{ actor: 'hub', mqtt: { port: mqttPort, host: '127.0.0.1' }, principals: [{ username: 'dev', password: 'pw', publish: ['meter/#'], subscribe: [] }] }], 'bench') });
  cleanups.push(() => server.cleanup());
  return { url: server.url, mqttPort, pid: server.pid };
}

/** raw: the same MQTT listener, a plain stream capturing meter.>, a consumer reading it. */
async function rawRig(): Promise<Rig> {
  const { url, mqttPort, pid } = await natsWithMqtt();
  const nc = await connect({ servers: url, noAsyncTraces: true });
  cleanups.push(() => nc.close());
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'RAW', subjects: ['meter.>'], retention: RetentionPolicy.Limits, storage: StorageType.File });
  const messages = await (await jetstream(nc).consumers.get('RAW')).consume();
  void (async () => {
    for await (const m of messages) received(m.data);
  })();
  cleanups.push(async () => messages.stop());
  return { mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, auth: { username: 'dev', password: 'pw' }, arrived: (n) => waitSink(n), serverPids: () => [pid] };
}

/**
 * store (the floor of a durable route): the same listener, and a durable consumer on the server's
 * own MQTT store (`$MQTT_msgs`, interest retention, as a route reads it) that acks each message as
 * it arrives: the least a reader does that keeps every PUBACKed publish until it was handled. With
 * `capture`, also a WorkQueue stream on `meter.>` whose copies are read and acked (what a route's
 * capture stream adds).
 */
async function storeRig(capture: boolean): Promise<Rig> {
  const { url, mqttPort, pid } = await natsWithMqtt();
  const nc = await connect({ servers: url, noAsyncTraces: true });
  cleanups.push(() => nc.close());
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const read = async (stream: string, consumer: string, each: (data: Uint8Array) => void): Promise<void> => {
    const messages = await (await js.consumers.get(stream, consumer)).consume({ max_messages: 256 });
    void (async () => {
      for await (const m of messages) {
        each(m.data);
        m.ack();
      }
    })();
    cleanups.push(async () => messages.stop());
  };
  await jsm.streams.add({ name: '$MQTT_msgs', subjects: ['$MQTT.msgs.>'], retention: RetentionPolicy.Interest, storage: StorageType.File });
  await jsm.consumers.add('$MQTT_msgs', { durable_name: 'floor', ack_policy: AckPolicy.Explicit, filter_subjects: ['$MQTT.msgs.meter.>'], max_ack_pending: 1_024 });
  await read('$MQTT_msgs', 'floor', received);
  if (capture) {
    await jsm.streams.add({ name: 'CAPTURE', subjects: ['meter.>'], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
    await jsm.consumers.add('CAPTURE', { durable_name: 'copies', ack_policy: AckPolicy.Explicit, max_ack_pending: 1_024 });
    await read('CAPTURE', 'copies', () => undefined);
  }
  return { mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, auth: { username: 'dev', password: 'pw' }, arrived: (n) => waitSink(n), serverPids: () => [pid] };
}

/** cairn: the same listener; an application routes meter/# to an inline actor (bench/devices-behaviour.ts). */
async function cairnRig(): Promise<Rig> {
  const { url, mqttPort, pid } = await natsWithMqtt();
  const system = await createActorSystem({ servers: url, site: 'bench', node: 'bench-n1' });
  const controller = await startAppController({ system, appDir: HERE });
  cleanups.push(async () => (await controller.stop(), await system.shutdown()));
  const nc = await connect({ servers: url });
  cleanups.push(() => nc.close());
  await applyManifest(jetstream(nc), `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: meters }
spec:
  actors:
    - { id: sink, behaviour: { module: ./devices-behaviour.ts } }
  routes:
    - { from: { mqtt: "meter/#" }, to: { actor: sink } }
`);
  const jsm = await jetstreamManager(nc);
  // Ready when the leader reads the MQTT store (what comes before goes through the capture stream).
  await until(() => jsm.consumers.info('$MQTT_msgs', 'cairn-rt-bench-meters').then((c) => c.num_waiting > 0, () => false), 50);
  return { mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, auth: { username: 'dev', password: 'pw' }, arrived: (n) => waitSink(n), serverPids: () => [pid] };
}

/** mosquitto: devices publish to it, one subscriber (QoS 1) receives. */
async function mosquittoRig(): Promise<Rig> {
  const broker = await startMosquitto();
  cleanups.push(() => broker.cleanup());
  const sub = await connectAsync(broker.url, { clientId: 'sink', protocolVersion: 4 });
  cleanups.push(() => sub.endAsync(true));
  sub.on('message', (_t, payload) => received(payload));
  await sub.subscribeAsync('meter/#', { qos: 1 });
  return { mqttUrl: broker.url, auth: {}, arrived: (n) => waitSink(n), serverPids: () => [broker.pid!] };
}

function waitSink(n: number): Promise<void> {
  const s = sink();
  if (s.count >= n) return Promise.resolve();
  s.target = n;
  return new Promise((resolve) => (s.done = resolve));
}

async function devices(rig: Rig, d: number): Promise<MqttClient[]> {
  return Promise.all(
    Array.from({ length: d }, async (_, i) => {
      const c = await connectAsync(rig.mqttUrl, { clientId: `meter-${i}`, protocolVersion: 4, clean: true, reconnectPeriod: 0, ...rig.auth });
      cleanups.push(() => c.endAsync(true));
      return c;
    }),
  );
}

async function serverCpu(rig: Rig): Promise<number> {
  let total = 0;
  for (const pid of rig.serverPids()) total += await cpuMsOf(pid);
  return total;
}

/** D devices send N between them, each waiting for each PUBACK; timed until all N arrived. */
async function throughput(rig: Rig, d: number): Promise<object> {
  const clients = await devices(rig, d);
  // Warm-up: each device one message through the whole path.
  await Promise.all(clients.map((c, i) => c.publishAsync(`meter/${i}/kwh`, 'w', { qos: 1 })));
  await rig.arrived(d);
  const base = sink().count;
  const s0 = await serverCpu(rig);
  const c0 = ownCpuMs();
  const t0 = performance.now();
  let lastAck = 0;
  await profiled(async () => {
    await Promise.all(
      clients.map(async (c, i) => {
        for (let k = i; k < N; k += d) await c.publishAsync(`meter/${i}/kwh`, String(k), { qos: 1 });
        lastAck = Math.max(lastAck, performance.now());
      }),
    );
    await rig.arrived(base + N);
  });
  const ms = performance.now() - t0;
  return { n: N, devices: d, ms, ackedMs: lastAck - t0, msgsPerSec: (N * 1000) / ms, clientCpuMs: ownCpuMs() - c0, serverCpuMs: (await serverCpu(rig)) - s0 };
}

/** 10 devices at 100 msg/s each (1,000 msg/s), QoS 1 without waiting; latency publish → arrival, after a warm-up second. */
async function latency(rig: Rig): Promise<object> {
  const clients = await devices(rig, LAT_DEVICES);
  const perDevice = (RATE / LAT_DEVICES) * LAT_SECONDS;
  const everyMs = (1000 * LAT_DEVICES) / RATE;
  const s0 = await serverCpu(rig);
  const c0 = ownCpuMs();
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c, i) => {
      // Devices start spread over one interval, then keep their own schedule.
      const start = t0 + (everyMs * i) / LAT_DEVICES;
      for (let k = 0; k < perDevice; k++) {
        const at = start + k * everyMs;
        const wait = at - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        void c.publishAsync(`meter/${i}/kwh`, String(performance.now()), { qos: 1 });
      }
    }),
  );
  const total = perDevice * LAT_DEVICES;
  await rig.arrived(total);
  const ms = performance.now() - t0;
  // The first second warms up connections, consumers and JIT.
  const samples = sink().latencies.slice(WARMUP_SECONDS * RATE);
  return { n: total, ms, rate: RATE, latency: summarize(samples), clientCpuMs: ownCpuMs() - c0, serverCpuMs: (await serverCpu(rig)) - s0 };
}

/** The far end of a bridge: a remote mosquitto and a subscriber counting what arrives under factory/. */
async function remoteBroker(): Promise<{ url: string; pid: () => number }> {
  const remote = await startMosquitto();
  cleanups.push(() => remote.cleanup());
  const far = await connectAsync(remote.url, { clientId: 'far', protocolVersion: 4 });
  cleanups.push(() => far.endAsync(true));
  far.on('message', (_t, payload) => received(payload));
  await far.subscribeAsync('factory/#', { qos: 1 });
  return { url: remote.url, pid: () => remote.pid! };
}

/** N messages, 500 unacknowledged at a time, into the bridge's side; timed until all reached the remote subscriber. */
async function bridged(publish: (i: number) => Promise<unknown>, pids: () => number[]): Promise<object> {
  await publish(-1);
  await waitSink(1);
  const cpu = async (): Promise<number> => (await Promise.all(pids().map(cpuMsOf))).reduce((a, b) => a + b, 0);
  const s0 = await cpu();
  const c0 = ownCpuMs();
  const t0 = performance.now();
  for (let i = 0; i < N; i += 500) await Promise.all(Array.from({ length: Math.min(500, N - i) }, (_, k) => publish(i + k)));
  const publishedMs = performance.now() - t0;
  await waitSink(1 + N);
  const ms = performance.now() - t0;
  return { n: N, ms, publishedMs, msgsPerSec: (N * 1000) / ms, clientCpuMs: ownCpuMs() - c0, serverCpuMs: (await cpu()) - s0 };
}

async function bridgeCairn(): Promise<object> {
  const remote = await remoteBroker();
  const server = await startTestServer();
  cleanups.push(() => server.cleanup());
  const system = await createActorSystem({ servers: server.url, site: 'bench', node: 'bench-n1' });
  const controller = await startAppController({ system, appDir: HERE });
  cleanups.push(async () => (await controller.stop(), await system.shutdown()));
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  cleanups.push(() => nc.close());
  await applyManifest(jetstream(nc), `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: uplink }
spec:
  actors:
    - id: bridge
      module: cairn/bridge
      config:
        peer: { url: "${remote.url}" }
        rules: [{ topic: "alerts/#", direction: out, qos: 1, remotePrefix: "factory/" }]
`);
  await until(async () => ((await system.ref('bridge').ask({ type: 'status' } as never, { timeout: 2_000 }).catch(() => undefined)) as BridgeStatus | undefined)?.peer.connected === true, 50);
  const js = jetstream(nc);
  return bridged((i) => js.publish(`alerts.a${i % 10}`, i < 0 ? 'w' : String(i)), () => [server.pid, remote.pid()]);
}

async function bridgeMosquitto(): Promise<object> {
  const remote = await remoteBroker();
  const port = Number(new URL(remote.url).port);
  const local = await startMosquitto({ extra: ['connection remote', `address 127.0.0.1:${port}`, 'topic alerts/# out 1 "" factory/', 'cleansession false', 'bridge_protocol_version mqttv50'] });
  cleanups.push(() => local.cleanup());
  const pub = await connectAsync(local.url, { clientId: 'pub', protocolVersion: 4 });
  cleanups.push(() => pub.endAsync(true));
  return bridged((i) => pub.publishAsync(`alerts/a${i % 10}`, i < 0 ? 'w' : String(i), { qos: 1 }), () => [local.pid!, remote.pid()]);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-devices-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const v = input.variant;
  const [kind, arg] = [v.slice(0, v.lastIndexOf('-')), v.slice(v.lastIndexOf('-') + 1)];
  const rigFor = (k: string): Promise<Rig> => (k === 'raw' ? rawRig() : k === 'store' ? storeRig(false) : k === 'store+capture' ? storeRig(true) : k === 'cairn' ? cairnRig() : mosquittoRig());
  let result: object;
  if (kind === 'bridge') result = arg === 'cairn' ? await bridgeCairn() : await bridgeMosquitto();
  else if (arg === 'lat') result = await latency(await rigFor(kind));
  else result = await throughput(await rigFor(kind), Number(arg));
  emit({ variant: v, ...result });
}

main()
  .then(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    process.exit(0);
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
