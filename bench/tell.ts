// Tell throughput: N messages through actor mailboxes vs raw JetStream publish + consume + ack.
// Variants (BENCH_VARIANT): raw, raw-msgid (raw + the Nats-Msg-Id header Cairn sets), cairn-1, cairn-100,
// and raw-default (raw on a connection with the client's default options, for reference). Raw
// baselines connect with `noAsyncTraces: true`, as Cairn's node does: same client, same settings.
// Each process runs one warm-up round then ROUNDS measured rounds, each on fresh streams.
import { performance } from 'node:perf_hooks';
import { connect, nanos, nuid } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { createActorSystem } from '../supervisor-trees/index.ts';
import { defineActor, DEFAULT_MAILBOX_LIMITS } from '../kernel/index.ts';
import type { ActorRef } from '../kernel/index.ts';
import { benchInput, dropSite, emit, profiled, rawPayload, reading, within } from './harness.ts';
import type { Reading } from './harness.ts';
import { median } from './stats.ts';

const N = Number(process.env.BENCH_TELL_N ?? 20_000);
const WARMUP_N = 2_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WINDOW = 1_000;
const ROUND_TIMEOUT_MS = 60_000;

interface Round {
  readonly n: number;
  /** First publish to last message handled. */
  readonly ms: number;
  /** First publish to last publish acked by JetStream. */
  readonly publishMs: number;
  readonly msgsPerSec: number;
}

const input = benchInput();

/** Sends `n` messages in windows of WINDOW un-awaited sends; resolves when all are acked by the stream. */
async function sendWindows(n: number, send: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < n; start += WINDOW) {
    const end = Math.min(n, start + WINDOW);
    const pending: Promise<unknown>[] = [];
    for (let i = start; i < end; i++) pending.push(send(i));
    await Promise.all(pending);
  }
}

async function rawRound(nc: NatsConnection, jsm: JetStreamManager, n: number, round: number, withMsgId: boolean): Promise<Round> {
  const stream = `${input.tag}_raw_${round}`;
  const subject = `bench.${input.tag}.raw${round}`;
  await jsm.streams.add({ name: stream, subjects: [subject], retention: RetentionPolicy.Workqueue, storage: StorageType.File, duplicate_window: nanos(120_000) });
  // Same consumer shape as Cairn's shared mailbox consumer (max_ack_pending, batch).
  await jsm.consumers.add(stream, { durable_name: 'c', ack_policy: AckPolicy.Explicit, max_ack_pending: DEFAULT_MAILBOX_LIMITS.maxInFlight });
  const js = jetstream(nc);
  const consumer = await js.consumers.get(stream, 'c');
  const messages = await consumer.consume({ max_messages: Math.min(DEFAULT_MAILBOX_LIMITS.maxInFlight, 512) });
  let seen = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  void (async () => {
    for await (const m of messages) {
      m.ack();
      if (++seen === n) resolveDone();
    }
  })();
  const t0 = performance.now();
  await sendWindows(n, (i) => js.publish(subject, rawPayload(i), withMsgId ? { msgID: nuid.next() } : undefined));
  const tPub = performance.now();
  await within(done, ROUND_TIMEOUT_MS, `raw round ${round}`);
  const t1 = performance.now();
  await messages.close();
  await jsm.streams.delete(stream);
  return { n, ms: t1 - t0, publishMs: tPub - t0, msgsPerSec: n / ((t1 - t0) / 1000) };
}

async function cairnRound(actors: number, n: number, round: number, noAsyncTraces = false): Promise<Round> {
  const site = `${input.tag}r${round}`;
  let seen = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const Sink = defineActor<Reading>({
    name: 'sink',
    receive: () => {
      if (++seen === n) resolveDone();
    },
  });
  // The what-if: the node uses a connection that does not capture a stack trace per request.
  const own = noAsyncTraces ? await connect({ servers: input.url, noAsyncTraces: true }) : undefined;
  const system = await createActorSystem({ servers: input.url, site, node: 'n1', ...(own ? { connection: own } : {}) });
  try {
    const refs: ActorRef<Reading>[] = [];
    for (let a = 0; a < actors; a++) refs.push(await system.spawn(Sink, { id: `sink-${a}` }));
    const t0 = performance.now();
    await sendWindows(n, (i) => refs[i % actors]!.tell(reading(i)));
    const tPub = performance.now();
    await within(done, ROUND_TIMEOUT_MS, `cairn round ${round}`);
    const t1 = performance.now();
    return { n, ms: t1 - t0, publishMs: tPub - t0, msgsPerSec: n / ((t1 - t0) / 1000) };
  } finally {
    await system.shutdown();
    await own?.close();
    const nc = await connect({ servers: input.url });
    await dropSite(await jetstreamManager(nc), site);
    await nc.close();
  }
}

async function main(): Promise<void> {
  const run = async (n: number, round: number): Promise<Round> => {
    switch (input.variant) {
      case 'raw':
      case 'raw-default':
      case 'raw-msgid': {
        const nc = await connect({ servers: input.url, ...(input.variant === 'raw-default' ? {} : { noAsyncTraces: true }) });
        try {
          return await rawRound(nc, await jetstreamManager(nc), n, round, input.variant === 'raw-msgid');
        } finally {
          await nc.close();
        }
      }
      case 'cairn-1':
        return cairnRound(1, n, round);
      case 'cairn-100':
        return cairnRound(100, n, round);
      default:
        throw new Error(`unknown variant ${input.variant}`);
    }
  };
  await run(WARMUP_N, 0);
  const rounds: Round[] = [];
  await profiled(async () => {
    for (let r = 1; r <= ROUNDS; r++) rounds.push(await run(N, r));
  });
  emit({ bench: 'tell', variant: input.variant, n: N, window: WINDOW, rounds, msgsPerSec: median(rounds.map((r) => r.msgsPerSec)), publishPerSec: median(rounds.map((r) => r.n / (r.publishMs / 1000))) });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
