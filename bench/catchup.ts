// Catch-up after an outage: on a cloud + edge1 leaf topology (test/helpers/topology.ts), the
// edge's link is frozen, N messages are sent from the edge to the cloud while it is cut, the link is
// thawed (connections reset) and the time from the thaw until all N are handled on the cloud is
// measured. Each child process starts its own topology; bench/run.ts's server is not used.
// Variants (BENCH_VARIANT): raw-10k, cairn-10k, raw-100k, cairn-100k.
//   raw    the bare floor of how Cairn moves a backlog: a Limits stream on the edge, a WorkQueue
//          stream on the cloud, and a forwarder on the cloud that pulls the edge stream through
//          $JS.edge1.API with a durable pull consumer of the same settings as Cairn's
//          (sourceConsumerConfig), publishes each message into the cloud stream (its Nats-Msg-Id
//          kept; all in flight at once, no per-actor order) and acks it once stored; a durable
//          pull consumer on the cloud stream (consume() + ack(), max_ack_pending 1024 as Cairn's)
//          counts them.
//   cairn  an edge1 node tells N messages to an actor on the cloud site (they go to edge1's outbox,
//          the cloud leader's outbox forwarder stores them in its mailbox); the actor counts them.
// Both: the cloud stream's last sequence is polled every 20 ms from the thaw, giving when sourcing
// resumed (first new message) and when the stream held all N.
import { performance } from 'node:perf_hooks';
import { connect, headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { createActorSystem } from '../supervisor-trees/index.ts';
import type { ActorSystem } from '../supervisor-trees/index.ts';
import { DEFAULT_MAILBOX_LIMITS, defineActor, sourceConsumerConfig } from '../kernel/index.ts';
import { Streams } from '../protocols/index.ts';
import { startTopology } from '../test/helpers/topology.ts';
import type { Topology } from '../test/helpers/topology.ts';
import { benchInput, cpuMsOf, emit, ownCpuMs, rawPayload, reading, within } from './harness.ts';
import type { Reading } from './harness.ts';

const input = benchInput();
const [kind, size] = input.variant.split('-') as ['raw' | 'cairn', string];
const N = Number(process.env.BENCH_CATCHUP_N ?? Number(size.replace(/k$/, '')) * 1000);
/** Sends in flight while the link is cut (as the tell benchmark's windows). */
const WINDOW = 1_000;
/** The link stays cut at least this long, so the leaf link is seen as dead on both sides (ping 1 s, 2 missed). */
const MIN_OUTAGE_MS = 5_000;
const POLL_MS = 20;
const CATCHUP_TIMEOUT_MS = 150_000;


interface Milestones {
  /** Thaw to the first new message in the cloud stream: the delay before sourcing resumed. */
  resumeMs: number;
  /** Thaw to the cloud stream having received all N. */
  storedMs: number;
  /** Thaw to all N handled (raw: acked by the consumer; cairn: handled by the actor). */
  handledMs: number;
  /** Time the N sends took while the link was cut. */
  sendMs: number;
  /** CPU (ms) from the thaw to all handled: this process, the cloud server, the edge server. */
  cpu: { self: number; cloud: number; edge: number };
}

/** Polls the cloud stream's last sequence from the thaw; resolves resume and stored times. */
function watchStream(jsm: JetStreamManager, stream: string, base: number, t0: number): { resumed: Promise<number>; stored: Promise<number>; stop(): void } {
  let stopped = false;
  let resumeMs: number | undefined;
  let onResume!: (ms: number) => void;
  let onStored!: (ms: number) => void;
  const resumed = new Promise<number>((r) => (onResume = r));
  const stored = new Promise<number>((r) => (onStored = r));
  void (async () => {
    while (!stopped) {
      const info = await jsm.streams.info(stream).catch(() => undefined);
      const got = (info?.state.last_seq ?? base) - base;
      const now = performance.now() - t0;
      if (got > 0 && resumeMs === undefined) onResume((resumeMs = now));
      if (got >= N) return onStored(now);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  return { resumed, stored, stop: () => void (stopped = true) };
}

/** Sends N with WINDOW in flight. */
async function sendAll(send: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < N; i += WINDOW) await Promise.all(Array.from({ length: Math.min(WINDOW, N - i) }, (_, k) => send(i + k)));
  return performance.now() - t0;
}

/** Freeze, send, keep the link cut at least MIN_OUTAGE_MS, check nothing crossed, thaw; returns the thaw time and send time. */
async function outage(topology: Topology, send: () => Promise<number>, crossed: () => Promise<number>): Promise<{ t0: number; sendMs: number }> {
  const link = topology.links.edge1!;
  link.freeze();
  const frozenAt = performance.now();
  const sendMs = await send();
  const left = MIN_OUTAGE_MS - (performance.now() - frozenAt);
  if (left > 0) await new Promise((r) => setTimeout(r, left));
  const through = await crossed();
  if (through !== 0) throw new Error(`${through} messages crossed a frozen link`);
  link.thaw({ reset: true });
  return { t0: performance.now(), sendMs };
}

async function measure(topology: Topology, t0: number, watch: ReturnType<typeof watchStream>, handled: Promise<number>, sendMs: number): Promise<Milestones> {
  const cloudPid = topology.cloud.server.pid;
  const edgePid = topology.edges.edge1!.server.pid;
  const cpu0 = { self: ownCpuMs(), cloud: await cpuMsOf(cloudPid), edge: await cpuMsOf(edgePid) };
  const [resumeMs, storedMs, handledMs] = await within(Promise.all([watch.resumed, watch.stored, handled.then((t) => t - t0)]), CATCHUP_TIMEOUT_MS, `catch-up of ${N}`);
  const cpu = { self: ownCpuMs() - cpu0.self, cloud: (await cpuMsOf(cloudPid)) - cpu0.cloud, edge: (await cpuMsOf(edgePid)) - cpu0.edge };
  watch.stop();
  return { resumeMs, storedMs, handledMs, sendMs, cpu };
}

// ---- raw pull-and-forward -------------------------------------------------------------------------

/** Pulls SRC on the edge through its domain and stores each message in SINK, acking it once stored. */
async function rawForwarder(cloudNc: NatsConnection): Promise<{ stop(): Promise<void> }> {
  const sinkJs = jetstream(cloudNc);
  const src = await jetstream(cloudNc, { domain: 'edge1' }).consumers.get('SRC', 'sink-fwd');
  let stopped = false;
  let current: { stop(): void } | undefined;
  const done = (async () => {
    while (!stopped) {
      try {
        const messages = await src.consume({ max_messages: 512 });
        current = messages;
        for await (const m of messages) {
          const id = m.headers?.get('Nats-Msg-Id');
          void sinkJs.publish('bench.sink.counter', m.data, id ? { msgID: id } : {}).then(
            () => m.ack(),
            () => m.nak(),
          );
        }
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      current?.stop();
      await done;
    },
  };
}

async function raw(topology: Topology, cloudNc: NatsConnection, edgeNc: NatsConnection): Promise<Milestones> {
  const edgeJsm = await jetstreamManager(edgeNc);
  const edgeJs = jetstream(edgeNc);
  const cloudJsm = await jetstreamManager(cloudNc);
  await edgeJsm.streams.add({ name: 'SRC', subjects: ['bench.src.>'], retention: RetentionPolicy.Limits, storage: StorageType.File });
  // The same consumer settings as Cairn's outbox forwarders use, its own names.
  const { durable_name: _cairns, filter_subject: _own, ...settings } = sourceConsumerConfig('edge1', 'cloud');
  await edgeJsm.consumers.add('SRC', { ...settings, durable_name: 'sink-fwd', filter_subject: 'bench.src.cloud.>' });
  await cloudJsm.streams.add({ name: 'SINK', subjects: ['bench.sink.>'], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
  const forwarder = await rawForwarder(cloudNc);
  await cloudJsm.consumers.add('SINK', { durable_name: 'c', ack_policy: AckPolicy.Explicit, max_ack_pending: DEFAULT_MAILBOX_LIMITS.maxInFlight });
  const messages = await (await jetstream(cloudNc).consumers.get('SINK', 'c')).consume({ max_messages: 512 });
  let count = 0;
  let target = 1;
  let reached!: (t: number) => void;
  let handled = new Promise<number>((r) => (reached = r));
  void (async () => {
    for await (const m of messages) {
      m.ack();
      if (++count === target) reached(performance.now());
    }
  })();
  const publish = (i: number) => {
    const h = headers();
    h.set('Nats-Msg-Id', `m-${i}`); // as Cairn's tells carry one
    return edgeJs.publish('bench.src.cloud.counter', rawPayload(i), { headers: h });
  };
  // Warm-up: the source is established and one message went through.
  await publish(-1);
  await within(handled, 30_000, 'the warm-up message');
  count = 0;
  target = N;
  handled = new Promise<number>((r) => (reached = r));
  const base = (await cloudJsm.streams.info('SINK')).state.last_seq;
  // The floor has no recovery of its own: it stops before the cut and starts (from its ack floor) at the thaw.
  await forwarder.stop();
  const { t0, sendMs } = await outage(
    topology,
    () => sendAll(publish),
    async () => (await cloudJsm.streams.info('SINK')).state.last_seq - base + count,
  );
  const watch = watchStream(cloudJsm, 'SINK', base, t0);
  // The leaf link is being made again: the edge's API answers once it is up.
  for (let tries = 0; ; tries++) {
    try {
      await cloudNc.request('$JS.edge1.API.CONSUMER.RESET.SRC.sink-fwd', new Uint8Array(0), { timeout: 2_000 });
      break;
    } catch (err) {
      if (tries >= 100) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const again = await rawForwarder(cloudNc);
  const m = await measure(topology, t0, watch, handled, sendMs);
  await messages.close();
  await again.stop();
  return m;
}

// ---- Cairn ---------------------------------------------------------------------------------------

async function cairn(topology: Topology): Promise<Milestones> {
  let count = 0;
  let target = 1;
  let reached!: (t: number) => void;
  let handled = new Promise<number>((r) => (reached = r));
  const Counter = defineActor<Reading>({
    name: 'counter',
    receive: () => {
      if (++count === target) reached(performance.now());
    },
  });
  const systems: ActorSystem[] = [];
  try {
    // The mailbox holds at most `capacity` messages per actor (10,000 by default, new ones refused):
    // the whole backlog must fit for a one-actor catch-up.
    const cloud = await createActorSystem({ servers: topology.cloud.url, site: 'cloud', node: 'cloud-n1', peers: [{ site: 'edge1', domain: 'edge1' }], mailbox: { capacity: Math.max(DEFAULT_MAILBOX_LIMITS.capacity, N + 1_000) } });
    systems.push(cloud);
    const edge = await createActorSystem({ servers: topology.edges.edge1!.url, site: 'edge1', node: 'edge1-n1', peers: [{ site: 'cloud', domain: 'cloud' }] });
    systems.push(edge);
    await cloud.spawn(Counter, { id: 'counter' });
    const to = edge.ref<Reading>('counter', 'cloud');
    await to.tell(reading(-1));
    await within(handled, 30_000, 'the warm-up message');
    count = 0;
    target = N;
    handled = new Promise<number>((r) => (reached = r));
    const stream = Streams.mailbox('cloud');
    const base = (await cloud.node.jsm.streams.info(stream)).state.last_seq;
    const { t0, sendMs } = await outage(
      topology,
      () => sendAll((i) => to.tell(reading(i))),
      async () => (await cloud.node.jsm.streams.info(stream)).state.last_seq - base + count,
    );
    return await measure(topology, t0, watchStream(cloud.node.jsm, stream, base, t0), handled, sendMs);
  } finally {
    for (const s of systems.reverse()) await s.shutdown().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const topology = await startTopology(['edge1']);
  try {
    let m: Milestones;
    if (kind === 'raw') {
      // As the Cairn node's own connection (kernel/actor-node.ts): no async stack traces.
      const cloudNc = await connect({ servers: topology.cloud.url, noAsyncTraces: true });
      const edgeNc = await connect({ servers: topology.edges.edge1!.url, noAsyncTraces: true });
      try {
        m = await raw(topology, cloudNc, edgeNc);
      } finally {
        await cloudNc.close();
        await edgeNc.close();
      }
    } else m = await cairn(topology);
    emit({ bench: 'catchup', variant: input.variant, n: N, ...m, msgsPerSec: N / (m.handledMs / 1000), afterResumeMsgsPerSec: m.handledMs > m.resumeMs ? N / ((m.handledMs - m.resumeMs) / 1000) : Number.NaN });
  } finally {
    await topology.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
