// Spawn rate and resident memory per idle actor: COUNT actors spawned sequentially or with
// CONCURRENCY spawns outstanding, vs the same number of plain JS objects in a Map.
// Variants (BENCH_VARIANT): map, cairn-seq, cairn-conc, and the what-if cairn-seq-noevents (the
// same with the node's lifecycle events not published over NATS: what the RSS figure owes to the
// burst of 10,000 'started' events). Run with --expose-gc (bench/run.ts does).
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createActorSystem } from '../supervisor-trees/index.ts';
import type { ActorSystem } from '../supervisor-trees/index.ts';
import { defineActor } from '../kernel/index.ts';
import type { ActorRef } from '../kernel/index.ts';
import { benchInput, dropSite, emit, fullGc, profiled } from './harness.ts';
import type { Reading } from './harness.ts';

const COUNT = Number(process.env.BENCH_SPAWN_COUNT ?? 10_000);
const CONCURRENCY = 100;

const input = benchInput();

interface Mem {
  readonly heapUsed: number;
  /** Heap memory V8 has committed (used + free space it keeps), and the young generation's part of it. */
  readonly heapCommitted: number;
  readonly newSpaceCommitted: number;
  readonly rss: number;
  readonly external: number;
}

async function mem(): Promise<Mem> {
  await fullGc();
  const m = process.memoryUsage();
  const newSpace = v8.getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space');
  return { heapUsed: m.heapUsed, heapCommitted: m.heapTotal, newSpaceCommitted: newSpace?.space_size ?? 0, rss: m.rss, external: m.external + m.arrayBuffers };
}

const Idle = defineActor<Reading, { n: number }>({
  name: 'idle',
  initialState: () => ({ n: 0 }),
  receive: (_msg, ctx) => ctx.setState({ n: ctx.state.n + 1 }),
});

/** Calls spawnOne(i) for i < COUNT with at most `concurrency` outstanding. */
async function pool(concurrency: number, spawnOne: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < COUNT) await spawnOne(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function main(): Promise<void> {
  const concurrency = input.variant === 'cairn-conc' || input.variant === 'map' ? CONCURRENCY : 1;
  let system: ActorSystem | undefined;
  const site = `${input.tag}spawn`;
  if (input.variant !== 'map') system = await createActorSystem({ servers: input.url, site, node: 'n1' });
  // What-if only: in-process listeners would still get events; nothing goes over NATS.
  if (input.variant === 'cairn-seq-noevents' && system) (system.node.events as unknown as { emit(e: unknown): void }).emit = () => undefined;
  // Keep what was created reachable, as a caller would.
  const keep: (ActorRef<Reading> | { id: string; state: { n: number } })[] = [];
  const plain = new Map<string, { id: string; behaviour: string; status: string; state: { n: number } }>();
  const before = await mem();
  const t0 = performance.now();
  await profiled(async () => {
    if (system) {
      const sys = system;
      await pool(concurrency, async (i) => keep.push(await sys.spawn(Idle, { id: `idle-${i}` })));
    } else {
      await pool(concurrency, async (i) => {
        const id = `idle-${i}`;
        plain.set(id, { id, behaviour: 'idle', status: 'running', state: { n: 0 } });
      });
    }
  });
  const ms = performance.now() - t0;
  const after = await mem();
  const running = system ? system.ps().actors.filter((a) => a.status === 'running').length : plain.size;
  if (running !== COUNT) throw new Error(`expected ${COUNT} running, got ${running}`);
  if (system) {
    await system.shutdown();
    const nc = await connect({ servers: input.url });
    await dropSite(await jetstreamManager(nc), site);
    await nc.close();
  }
  emit({
    bench: 'spawn',
    variant: input.variant,
    count: COUNT,
    concurrency,
    ms,
    spawnsPerSec: COUNT / (ms / 1000),
    heapPerActor: (after.heapUsed - before.heapUsed) / COUNT,
    rssPerActor: (after.rss - before.rss) / COUNT,
    heapCommittedPerActor: (after.heapCommitted - before.heapCommitted) / COUNT,
    newSpaceCommittedPerActor: (after.newSpaceCommitted - before.newSpaceCommitted) / COUNT,
    externalPerActor: (after.external - before.external) / COUNT,
    before,
    after,
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
