// Device traffic (issue 13, item 7): MQTT devices → an actor through the site's hub, beside raw
// nats-server MQTT into a plain stream on the same kind of server and beside mosquitto; and the
// bridge's throughput to a remote mosquitto beside mosquitto's own bridge. Each child starts its
// own servers. Devices are mqtt.js connections (MQTT 3.1.1, QoS 1), each waiting for every PUBACK
// (one QoS 1 connection waits for each store), side by side.
// Variants (BENCH_VARIANT):
//   raw-<D>, store-<D>, store-ackall-<D>, cairn-<D>, mosquitto-<D>
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
import type { JsMsg } from '@nats-io/jetstream';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { connectAsync } from 'mqtt';
import { applyManifest, startAppController } from '../control-plane/index.ts';
import { freePorts, withDeviceAccess } from '../deploy/nats-server/index.ts';
import { createActorSystem } from '../supervisor-trees/index.ts';
import type { BridgeStatus } from '../actors/index.ts';
import { startTestServer } from '../test/helpers/nats.ts';
import { startMosquitto } from '../test/helpers/mosquitto.ts';
import { benchInput, cpuMsOf, emit, ownCpuMs, profiled } from './harness.ts';
import { received, sink } from './devices-behaviour.ts';
import type { DeviceLoad } from './devices-load.ts';
import { summarize } from './stats.ts';

const input = benchInput();
const N = Number(process.env.BENCH_DEVICES_N ?? 10_000);
/** Messages sent before the timed N of a throughput pass, the same way. */
const WARMUP = Number(process.env.BENCH_DEVICES_WARMUP ?? 5_000);
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
 * `ackAll`, the consumer's ack policy is "all" and the reader acks the last message of every 64 (or
 * of what came within 2 ms): one ack for many, which a route cannot do (below).
 */
async function storeRig(ackAll: boolean): Promise<Rig> {
  const { url, mqttPort, pid } = await natsWithMqtt();
  const nc = await connect({ servers: url, noAsyncTraces: true });
  cleanups.push(() => nc.close());
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: '$MQTT_msgs', subjects: ['$MQTT.msgs.>'], retention: RetentionPolicy.Interest, storage: StorageType.File });
  await jsm.consumers.add('$MQTT_msgs', { durable_name: 'floor', ack_policy: ackAll ? AckPolicy.All : AckPolicy.Explicit, filter_subjects: ['$MQTT.msgs.meter.>'], max_ack_pending: 1_024 });
  const messages = await (await jetstream(nc).consumers.get('$MQTT_msgs', 'floor')).consume({ max_messages: 256 });
  let last: JsMsg | undefined;
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  const ackLast = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    last?.ack();
    last = undefined;
  };
  void (async () => {
    for await (const m of messages) {
      received(m.data);
      if (!ackAll) m.ack();
      else if (((last = m), ++count % 64 === 0)) ackLast();
      else timer ??= setTimeout(ackLast, 2);
    }
  })();
  cleanups.push(async () => messages.stop());
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

/** The devices, in a process of their own (bench/devices-load.ts), connected and warmed up. */
async function deviceLoad(rig: Rig, devices: number, mode: DeviceLoad['mode']): Promise<{ go(): Promise<{ ackedMs: number; cpuMs: number }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'devices-load.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanups.push(async () => child.kill('SIGKILL'));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the devices' process exited (${code})`))));
  exited.catch(() => undefined);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, number>> => JSON.parse((await Promise.race([lines.next(), exited])).value as string) as Record<string, number>;
  child.stdin.write(`${JSON.stringify({ mqttUrl: rig.mqttUrl, auth: rig.auth, devices, mode } satisfies DeviceLoad)}\n`);
  await next();
  return {
    go: async () => {
      child.stdin.write('go\n');
      const { ackedMs, cpuMs } = await next();
      return { ackedMs: ackedMs!, cpuMs: cpuMs! };
    },
  };
}

async function serverCpu(rig: Rig): Promise<number> {
  let total = 0;
  for (const pid of rig.serverPids()) total += await cpuMsOf(pid);
  return total;
}

/** D devices send N between them, each waiting for each PUBACK; timed until all N arrived. */
async function throughput(rig: Rig, d: number): Promise<object> {
  const load = await deviceLoad(rig, d, { kind: 'throughput', n: N, warmup: WARMUP });
  await rig.arrived(d + WARMUP);
  const base = sink().count;
  const s0 = await serverCpu(rig);
  const c0 = ownCpuMs();
  const t0 = performance.now();
  const [devicesSide] = await profiled(() => Promise.all([load.go(), rig.arrived(base + N)]));
  const ms = performance.now() - t0;
  return { n: N, devices: d, ms, ackedMs: devicesSide.ackedMs, msgsPerSec: (N * 1000) / ms, clientCpuMs: ownCpuMs() - c0, devicesCpuMs: devicesSide.cpuMs, serverCpuMs: (await serverCpu(rig)) - s0 };
}

/** 10 devices at 100 msg/s each (1,000 msg/s), QoS 1 without waiting; latency publish → arrival, after a warm-up second. */
async function latency(rig: Rig): Promise<object> {
  const load = await deviceLoad(rig, LAT_DEVICES, { kind: 'latency', rate: RATE, seconds: LAT_SECONDS });
  await rig.arrived(LAT_DEVICES);
  const base = sink().count;
  sink().latencies.length = 0;
  const total = RATE * LAT_SECONDS;
  const s0 = await serverCpu(rig);
  const c0 = ownCpuMs();
  const t0 = performance.now();
  const [devicesSide] = await Promise.all([load.go(), rig.arrived(base + total)]);
  const ms = performance.now() - t0;
  // The first second warms up connections, consumers and JIT.
  const samples = sink().latencies.slice(WARMUP_SECONDS * RATE);
  return { n: total, ms, rate: RATE, latency: summarize(samples), clientCpuMs: ownCpuMs() - c0, devicesCpuMs: devicesSide.cpuMs, serverCpuMs: (await serverCpu(rig)) - s0 };
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
  let publishedMs = 0;
  await profiled(async () => {
    for (let i = 0; i < N; i += 500) await Promise.all(Array.from({ length: Math.min(500, N - i) }, (_, k) => publish(i + k)));
    publishedMs = performance.now() - t0;
    await waitSink(1 + N);
  });
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
  const rigFor = (k: string): Promise<Rig> => (k === 'raw' ? rawRig() : k === 'store' ? storeRig(false) : k === 'store-ackall' ? storeRig(true) : k === 'cairn' ? cairnRig() : mosquittoRig());
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
