// Consumers with several filter subjects: what it would cost to let each node of a site consume the
// mailboxes of the actors placed on it with a consumer of its own. A WorkQueue stream refuses a
// consumer whose filters overlap another's (the leader's catch-all `cairn.mbx.<site>.>` included), so
// every node, the leader too, would list its actors' mailbox subjects one by one and update that
// list at every spawn, stop and move. Variants (BENCH_VARIANT): `wildcard` (the one consumer Cairn
// uses today, filter `<prefix>.*`), `explicit-<k>` (a consumer listing k subjects). For each:
// creating the consumer, adding one subject to it (mean of several updates), and consuming N stored
// messages spread over the k subjects (consume() + ack(), max_ack_pending 1024, batch 512 as
// Cairn's), with the CPU that costs this process and nats-server.
import { performance } from 'node:perf_hooks';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { DEFAULT_MAILBOX_LIMITS } from '../kernel/index.ts';
import { benchInput, cpuSpan, emit, rawPayload, within } from './harness.ts';

const N = Number(process.env.BENCH_FILTERS_N ?? 10_000);
const input = benchInput();
const k = input.variant === 'wildcard' ? 0 : Number(/^explicit-(\d+)$/.exec(input.variant)?.[1] ?? Number.NaN);
if (!Number.isInteger(k)) throw new Error(`unknown variant ${input.variant}`);

async function main(): Promise<void> {
  const nc = await connect({ servers: input.url, noAsyncTraces: true });
  // Creating a consumer with 10,000 filter subjects takes seconds: the default 5 s API timeout is too short.
  const jsm = await jetstreamManager(nc, { timeout: 120_000 });
  const js = jetstream(nc);
  const stream = `${input.tag}_filters`;
  const prefix = `bench.${input.tag}`;
  const actors = Math.max(k, 100);
  const subjects = Array.from({ length: actors }, (_, i) => `${prefix}.actor-${i}`);
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.*`], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
  const filter = k === 0 ? { filter_subject: `${prefix}.*` } : { filter_subjects: subjects.slice(0, k) };
  let t = performance.now();
  await jsm.consumers.add(stream, { durable_name: 'c', ack_policy: AckPolicy.Explicit, max_ack_pending: DEFAULT_MAILBOX_LIMITS.maxInFlight, ...filter });
  const createMs = performance.now() - t;
  // A spawn on this node: one more subject in the list (the wildcard needs no update).
  const updates = k === 0 ? 0 : k >= 10_000 ? 2 : 10;
  t = performance.now();
  for (let u = 0; u < updates; u++) await jsm.consumers.update(stream, 'c', { filter_subjects: [...subjects.slice(0, k), ...Array.from({ length: u + 1 }, (_, j) => `${prefix}.spawned-${j}`)] });
  const updateMs = updates === 0 ? 0 : (performance.now() - t) / updates;
  // The messages are stored first, so consuming is measured alone.
  const targets = k === 0 ? subjects : subjects.slice(0, k);
  for (let i = 0; i < N; i += 1_000) await Promise.all(Array.from({ length: Math.min(1_000, N - i) }, (_, j) => js.publish(targets[(i + j) % targets.length]!, rawPayload(i + j))));
  const consumer = await js.consumers.get(stream, 'c');
  const span = await cpuSpan(async () => {
    const t0 = performance.now();
    const messages = await consumer.consume({ max_messages: 512 });
    let seen = 0;
    await within(
      (async () => {
        for await (const m of messages) {
          m.ack();
          if (++seen === N) break;
        }
      })(),
      120_000,
      `consuming ${N} messages with ${k} filter subjects`,
    );
    return performance.now() - t0;
  });
  await jsm.streams.delete(stream);
  await nc.close();
  emit({
    bench: 'filters',
    variant: input.variant,
    filters: k,
    n: N,
    createMs,
    updateMs,
    updates,
    consumeMs: span.value,
    msgsPerSec: N / (span.value / 1000),
    clientCpuUsPerMsg: (span.clientCpuMs * 1000) / N,
    serverCpuUsPerMsg: span.serverCpuMs === undefined ? undefined : (span.serverCpuMs * 1000) / N,
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
