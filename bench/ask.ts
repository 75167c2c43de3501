// Ask latency: sequential asks to one actor vs a raw JetStream round trip (publish to a stream,
// a pull consumer receives, acks and core-publishes a reply to the requester's inbox) and raw core
// request/reply. Variants (BENCH_VARIANT): raw-core, raw-js, cairn. Raw baselines connect with
// `noAsyncTraces: true`, as Cairn's node does.
import { performance } from 'node:perf_hooks';
import { connect, createInbox } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createActorSystem } from '../supervisor-trees/index.ts';
import { defineActor, DEFAULT_MAILBOX_LIMITS } from '../kernel/index.ts';
import type { Asks } from '../kernel/index.ts';
import { decodeValue, encodeValue } from '../protocols/index.ts';
import { benchInput, dropSite, emit, profiled, rawPayload, reading } from './harness.ts';
import type { Reading } from './harness.ts';
import { summarize } from './stats.ts';

const WARMUP = 200;
const SAMPLES = Number(process.env.BENCH_ASK_SAMPLES ?? 2_000);
const TIMEOUT_MS = 5_000;

const input = benchInput();

/** Runs `once` WARMUP + SAMPLES times in sequence; returns the measured latencies in ms. */
async function sample(once: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await once(i);
  return profiled(async () => {
    const out: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      await once(WARMUP + i);
      out.push(performance.now() - t0);
    }
    return out;
  });
}

async function rawCore(nc: NatsConnection): Promise<number[]> {
  const subject = `bench.${input.tag}.core`;
  nc.subscribe(subject, { callback: (_err, m) => {
      m.respond(encodeValue({ ok: (decodeValue(m.data) as Reading).seq }));
    },
  });
  await nc.flush();
  return sample((i) => nc.request(subject, rawPayload(i), { timeout: TIMEOUT_MS }));
}

async function rawJetStream(nc: NatsConnection): Promise<number[]> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = `${input.tag}_ask`;
  const subject = `bench.${input.tag}.ask`;
  await jsm.streams.add({ name: stream, subjects: [subject], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
  await jsm.consumers.add(stream, { durable_name: 'c', ack_policy: AckPolicy.Explicit, max_ack_pending: DEFAULT_MAILBOX_LIMITS.maxInFlight });
  const messages = await (await js.consumers.get(stream, 'c')).consume({ max_messages: Math.min(DEFAULT_MAILBOX_LIMITS.maxInFlight, 512) });
  // The requester's inbox: one wildcard subscription, the reply subject carries the request's seq.
  const inbox = createInbox();
  const waiting = new Map<number, () => void>();
  nc.subscribe(`${inbox}.*`, {
    callback: (_err, m) => {
      const seq = Number(m.subject.slice(inbox.length + 1));
      waiting.get(seq)?.();
      waiting.delete(seq);
    },
  });
  void (async () => {
    for await (const m of messages) {
      const r = decodeValue(m.data) as Reading;
      m.ack();
      nc.publish(`${inbox}.${r.seq}`, encodeValue({ ok: r.seq }));
    }
  })();
  await nc.flush();
  try {
    // Like Cairn's ask: the reply is awaited and so is the stream's publish ack.
    return await sample((i) => Promise.all([new Promise<void>((r) => waiting.set(i, r)), js.publish(subject, rawPayload(i))]));
  } finally {
    await messages.close();
    await jsm.streams.delete(stream);
  }
}

async function cairn(noAsyncTraces: boolean): Promise<number[]> {
  type Msg = Reading & Asks<number>;
  const Echo = defineActor<Msg>({ name: 'echo', receive: (msg) => msg.seq });
  const site = `${input.tag}ask`;
  const own = noAsyncTraces ? await connect({ servers: input.url, noAsyncTraces: true }) : undefined;
  const system = await createActorSystem({ servers: input.url, site, node: 'n1', ...(own ? { connection: own } : {}) });
  try {
    const ref = await system.spawn(Echo, { id: 'echo' });
    return await sample((i) => ref.ask(reading(i), { timeout: TIMEOUT_MS }));
  } finally {
    await system.shutdown();
    await own?.close();
    const nc = await connect({ servers: input.url });
    await dropSite(await jetstreamManager(nc), site);
    await nc.close();
  }
}

async function main(): Promise<void> {
  let samples: number[];
  if (input.variant === 'cairn') samples = await cairn(false);
  else {
    // The same client settings as Cairn's node connection.
    const nc = await connect({ servers: input.url, noAsyncTraces: true });
    try {
      if (input.variant === 'raw-core') samples = await rawCore(nc);
      else if (input.variant === 'raw-js') samples = await rawJetStream(nc);
      else throw new Error(`unknown variant ${input.variant}`);
    } finally {
      await nc.close();
    }
  }
  emit({ bench: 'ask', variant: input.variant, warmup: WARMUP, ...summarize(samples) });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
