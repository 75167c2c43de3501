// What bench/rollout.ts and bench/delivery.ts share: waiting for every edge, timing a round, and
// measuring the rounds with the CPU of this process and of every server.
import { performance } from 'node:perf_hooks';
import { profiled, within } from './harness.ts';
import { cpuMsOf, rssOf } from './leaf-sites.ts';
import type { LeafSites } from './leaf-sites.ts';

const ROUND_TIMEOUT_MS = 120_000;

/** One measured rollout. Times are ms from the apply (cairn) or put (raw) call. */
export interface RolloutRound {
  /** Until the apply / put call returned (the write acknowledged by the cloud). */
  readonly applyMs: number;
  /** Per edge, in edge order: until that edge had all actors running (cairn) or held what was written (raw). */
  readonly edgeMs: readonly number[];
}

export interface Rig {
  /** Rolls out a new application named `app` and resolves when every edge has it. */
  round(app: string): Promise<RolloutRound>;
  close(): Promise<void>;
}

/** Collects, per edge, the items it must see; resolves with each edge's completion time once all are complete. */
export function expectArrivals(edges: readonly string[], items: readonly string[]): { mark(edge: string, item: string): void; all: Promise<Map<string, number>>; pending(): string[] } {
  const left = new Map(edges.map((e) => [e, new Set(items)]));
  const doneAt = new Map<string, number>();
  let resolve!: (done: Map<string, number>) => void;
  const all = new Promise<Map<string, number>>((r) => (resolve = r));
  return {
    mark(edge, item) {
      const missing = left.get(edge);
      if (!missing?.delete(item) || missing.size > 0) return;
      left.delete(edge);
      doneAt.set(edge, performance.now());
      if (left.size === 0) resolve(doneAt);
    },
    all,
    pending: () => [...left.keys()],
  };
}

/** Times one rollout: `write` is the apply or put; arrivals are marked by the rig's listeners. */
export async function timeRound(edges: readonly string[], arrivals: ReturnType<typeof expectArrivals>, write: () => Promise<void>): Promise<RolloutRound> {
  const t0 = performance.now();
  await write();
  const applyMs = performance.now() - t0;
  const doneAt = await within(arrivals.all, ROUND_TIMEOUT_MS, 'rollout').catch((err: Error) => {
    throw new Error(`${err.message}; still waiting for ${arrivals.pending().join(', ')}`);
  });
  return { applyMs, edgeMs: edges.map((e) => doneAt.get(e)! - t0) };
}

const ownCpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** CPU used so far (ms): this process, the cloud server, all edge servers together. */
async function cpuNow(sites: LeafSites): Promise<{ self: number; cloud: number; edges: number }> {
  const [cloud, ...edges] = await Promise.all(sites.pids().map(cpuMsOf));
  return { self: ownCpuMs(), cloud: cloud!, edges: edges.reduce((a, b) => a + b, 0) };
}

export async function measure(sites: LeafSites, rig: Rig, warmUp: string, measured: readonly string[]): Promise<object> {
  await rig.round(warmUp);
  const cpu0 = await cpuNow(sites);
  const t0 = performance.now();
  const rounds: RolloutRound[] = [];
  // Profiled only when bench/run.ts (or BENCH_CPU_PROFILE) asks for it.
  await profiled(async () => {
    for (const app of measured) rounds.push(await rig.round(app));
  });
  const wallMs = performance.now() - t0;
  const cpu1 = await cpuNow(sites);
  const [cloudRss, ...edgeRss] = await Promise.all(sites.pids().map(rssOf));
  return {
    rounds,
    wallMs,
    cpu: { self: cpu1.self - cpu0.self, cloud: cpu1.cloud - cpu0.cloud, edges: cpu1.edges - cpu0.edges },
    rss: { self: process.memoryUsage().rss, cloud: cloudRss, edges: edgeRss.reduce((a, b) => a + b, 0) },
  };
}

