// Tell throughput: N messages through actor mailboxes vs raw JetStream publish + consume + ack.
// Variants (BENCH_VARIANT): raw, raw-msgid (raw + the Nats-Msg-Id header Cairn sets), raw-ackbatch (raw acking
// together, as Cairn does, for reference), cairn-1, cairn-100,
// raw-default (raw on a connection with the client's default options, for reference), and
// nats-bench: the NATS CLI's own Go benchmark (`nats bench js consume` waiting while `nats bench js
// pub async` publishes) on the same server with the same message size, the floor of the mechanism.
// Raw baselines connect with `noAsyncTraces: true`, as Cairn's node does: same client, same settings.
// Each process runs one warm-up round then ROUNDS measured rounds, each on fresh streams; each
// round records the CPU it cost this process (for nats-bench: the two CLI processes) and the server.
import { performance } from 'node:perf_hooks';
import { connect, nanos, nuid } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { createActorSystem } from '../supervisor-trees/index.ts';
import { AckBatcher, defineActor, DEFAULT_MAILBOX_LIMITS } from '../kernel/index.ts';
import type { ActorRef } from '../kernel/index.ts';
import { spawn } from 'node:child_process';
import { locateNatsCli } from '../deploy/nats-server/index.ts';
import { benchInput, cpuSpan, dropSite, emit, profiled, rawPayload, reading, within } from './harness.ts';
import type { Reading, TellRound } from './harness.ts';
import { median } from './stats.ts';

const N = Number(process.env.BENCH_TELL_N ?? 20_000);
const WARMUP_N = 2_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WINDOW = 1_000;
const ROUND_TIMEOUT_MS = 60_000;


const input = benchInput();
/** The size of the message every variant sends (a msgpack-encoded reading); nats bench sends random bytes of it. */
const PAYLOAD_BYTES = rawPayload(0).length;

/** A round's figures from the measured span: first send to last message handled. */
function roundOf(n: number, span: { value: { t0: number; tPub: number; t1: number }; clientCpuMs: number; serverCpuMs: number | undefined }): TellRound {
  const { t0, tPub, t1 } = span.value;
  return { n, ms: t1 - t0, publishMs: tPub - t0, msgsPerSec: n / ((t1 - t0) / 1000), clientCpuMs: span.clientCpuMs, ...(span.serverCpuMs === undefined ? {} : { serverCpuMs: span.serverCpuMs }) };
}

/** Sends `n` messages in windows of WINDOW un-awaited sends; resolves when all are acked by the stream. */
async function sendWindows(n: number, send: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < n; start += WINDOW) {
    const end = Math.min(n, start + WINDOW);
    const pending: Promise<unknown>[] = [];
    for (let i = start; i < end; i++) pending.push(send(i));
    await Promise.all(pending);
  }
}

async function rawRound(nc: NatsConnection, jsm: JetStreamManager, n: number, round: number, withMsgId: boolean, batchAcks = false): Promise<TellRound> {
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
  // raw-ackbatch: acks together, as Cairn's node does (AckBatcher: 2 ms or 256 waiting).
  const acks = batchAcks ? new AckBatcher() : undefined;
  void (async () => {
    for await (const m of messages) {
      if (acks) acks.ack(m);
      else m.ack();
      if (++seen === n) resolveDone();
    }
  })();
  const span = await cpuSpan(async () => {
    const t0 = performance.now();
    await sendWindows(n, (i) => js.publish(subject, rawPayload(i), withMsgId ? { msgID: nuid.next() } : undefined));
    const tPub = performance.now();
    await within(done, ROUND_TIMEOUT_MS, `raw round ${round}`);
    return { t0, tPub, t1: performance.now() };
  });
  await messages.close();
  await jsm.streams.delete(stream);
  return roundOf(n, span);
}

/** Runs `nats <args>` under bash and returns its output and the CPU it used (bash's `times`). */
function natsCli(nats: string, args: readonly string[]): { done: Promise<{ out: string; cpuMs: number }> } {
  const quoted = [nats, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('bash', ['-c', `${quoted}; status=$?; times; exit $status`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ out: string; cpuMs: number }>((resolve, reject) => {
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`nats ${args.join(' ')} exited ${String(code)}: ${out.slice(-2000)}`));
      // `times` prints the shell's user/system time, then its children's: "0m0.512s 0m0.100s".
      const lines = out.trim().split('\n');
      const times = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s/.exec(lines[lines.length - 1] ?? '');
      const cpuMs = times ? (Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1000 : Number.NaN;
      resolve({ out, cpuMs });
    });
  });
  return { done };
}

/** `nats bench js consume` (durable, explicit acks) waiting on a WorkQueue stream while `nats bench js pub async` fills it. */
async function natsBenchRound(jsm: JetStreamManager, n: number, round: number): Promise<TellRound> {
  const nats = (await locateNatsCli()).path;
  const stream = `${input.tag}_nb_${round}`;
  const subject = `bench.${input.tag}.nb${round}`;
  await jsm.streams.add({ name: stream, subjects: [subject], retention: RetentionPolicy.Workqueue, storage: StorageType.File, duplicate_window: nanos(120_000) });
  const common = ['-s', input.url, '--no-progress', '--stream', stream, '--msgs', String(n), '--size', `${PAYLOAD_BYTES}B`];
  const consume = natsCli(nats, ['bench', 'js', 'consume', ...common, '--batch', '512', '--acks', 'explicit']);
  // The consumer exists before the first publish, as the other variants' do.
  for (let i = 0; ; i++) {
    if (await jsm.consumers.info(stream, 'nats-bench').then(() => true, () => false)) break;
    if (i > 200) throw new Error('nats bench js consume did not create its consumer');
    await new Promise((r) => setTimeout(r, 10));
  }
  const span = await cpuSpan(async () => {
    const t0 = performance.now();
    const pub = natsCli(nats, ['bench', 'js', 'pub', 'async', subject, ...common, '--batch', String(WINDOW)]);
    const p = await pub.done;
    const tPub = performance.now();
    const c = await within(consume.done, ROUND_TIMEOUT_MS, `nats bench round ${round}`);
    const t1 = performance.now();
    return { t0, tPub, t1, cpuMs: p.cpuMs + c.cpuMs };
  });
  await jsm.streams.delete(stream);
  // The client CPU is the two CLI processes' (this process only waits).
  return roundOf(n, { ...span, clientCpuMs: span.value.cpuMs });
}

async function cairnRound(actors: number, n: number, round: number, noAsyncTraces = false): Promise<TellRound> {
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
    const span = await cpuSpan(async () => {
      const t0 = performance.now();
      await sendWindows(n, (i) => refs[i % actors]!.tell(reading(i)));
      const tPub = performance.now();
      await within(done, ROUND_TIMEOUT_MS, `cairn round ${round}`);
      return { t0, tPub, t1: performance.now() };
    });
    return roundOf(n, span);
  } finally {
    await system.shutdown();
    await own?.close();
    const nc = await connect({ servers: input.url });
    await dropSite(await jetstreamManager(nc), site);
    await nc.close();
  }
}

async function main(): Promise<void> {
  const run = async (n: number, round: number): Promise<TellRound> => {
    switch (input.variant) {
      case 'raw':
      case 'raw-default':
      case 'raw-ackbatch':
      case 'raw-msgid': {
        const nc = await connect({ servers: input.url, ...(input.variant === 'raw-default' ? {} : { noAsyncTraces: true }) });
        try {
          return await rawRound(nc, await jetstreamManager(nc), n, round, input.variant === 'raw-msgid', input.variant === 'raw-ackbatch');
        } finally {
          await nc.close();
        }
      }
      case 'nats-bench': {
        const nc = await connect({ servers: input.url });
        try {
          return await natsBenchRound(await jetstreamManager(nc), n, round);
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
  const rounds: TellRound[] = [];
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
