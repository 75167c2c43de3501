// The rollout section of bench/RESULTS.md, from bench/rollout.ts's results. Pure: no I/O.
import { MAX_FILE_STORE, MAX_MEMORY_STORE } from './leaf-sites.ts';
import type { Run, Section } from './run.ts';
import { fmtBytes, fmtInt, fmtMs, fmtRatio, median, summarize } from './stats.ts';

interface RolloutRound {
  readonly applyMs: number;
  readonly edgeMs: readonly number[];
}

/** What one bench/rollout.ts child reports (its BENCH_RESULT line). */
interface RolloutResult {
  readonly kind: 'raw' | 'cairn';
  readonly edges: number;
  readonly actors: number;
  readonly serversMs: number;
  readonly setupMs: number;
  readonly rounds: readonly RolloutRound[];
  readonly cpu: { readonly self: number; readonly cloud: number; readonly edges: number };
  readonly rss: { readonly self: number; readonly cloud: number; readonly edges: number };
}

const resultOf = (r: Run): RolloutResult => r.result as unknown as RolloutResult;
const meanOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** A rollout is done when its last edge is. */
const lastEdge = (round: RolloutRound): number => Math.max(...round.edgeMs);

/** Everything a row and the notes need for one variant, over all its passes. */
export function figuresOf(runs: readonly Run[]) {
  const results = runs.map(resultOf);
  const rounds = results.flatMap((r) => r.rounds);
  const perRollout = (k: keyof RolloutResult['cpu']): number => meanOf(results.map((r) => r.cpu[k] / r.rounds.length));
  return {
    edges: results[0]!.edges,
    actors: results[0]!.actors,
    rollouts: rounds.length,
    all: summarize(rounds.map(lastEdge)),
    allPerPass: results.map((r) => median(r.rounds.map(lastEdge))),
    perEdge: summarize(rounds.flatMap((r) => r.edgeMs)),
    write: summarize(rounds.map((r) => r.applyMs)),
    /** From the apply (put) call's return to the last edge. */
    afterWrite: summarize(rounds.map((r) => lastEdge(r) - r.applyMs)),
    cpu: { self: perRollout('self'), cloud: perRollout('cloud'), edges: perRollout('edges') },
    setupMs: meanOf(results.map((r) => r.setupMs)),
    serversMs: meanOf(results.map((r) => r.serversMs)),
    rss: { self: meanOf(results.map((r) => r.rss.self)), edgeServer: meanOf(results.map((r) => r.rss.edges / r.edges)), cloud: meanOf(results.map((r) => r.rss.cloud)) },
  };
}
export type Figures = ReturnType<typeof figuresOf>;

export function row(variant: string, f: Figures, raw: Figures | undefined): string[] {
  return [
    `\`${variant}\``,
    String(f.edges),
    String(f.rollouts),
    fmtMs(f.all.p50),
    f.allPerPass.map(fmtMs).join(' / '),
    fmtMs(f.all.max),
    fmtMs(f.perEdge.p50),
    fmtMs(f.perEdge.p90),
    fmtMs(f.write.p50),
    raw && variant.startsWith('cairn') ? fmtRatio(f.all.p50 / raw.all.p50) : '—',
    `${fmtInt(f.cpu.self)} / ${fmtInt(f.cpu.cloud)} / ${fmtInt(f.cpu.edges)}`,
  ];
}

/** One note per edge count that has both variants: the ratio, and where Cairn's time goes. */
function comparisonNote(n: number, c: Figures, r: Figures): string {
  const edges = `${n} edge${n === 1 ? '' : 's'}`;
  return (
    `${edges}: all ${c.actors} actors running on every edge ${fmtMs(c.all.p50)} after \`apply\` (p50 of ${c.rollouts} rollouts) vs the record on every edge ${fmtMs(r.all.p50)} after the raw put: ${fmtRatio(c.all.p50 / r.all.p50)}, Cairn adds ${fmtMs(c.all.p50 - r.all.p50)}. ` +
    `The apply call itself took ${fmtMs(c.write.p50)} (validate the manifest, open the bucket, read the current revision, write) vs ${fmtMs(r.write.p50)} for the put; ` +
    `from its return to the last edge running, ${fmtMs(c.afterWrite.p50)} vs ${fmtMs(r.afterWrite.p50)} from the put's return to the last edge holding the record (p50s of per-rollout differences).` +
    (n > 1 ? ' The applying client shares this process with the nodes, so the edges\' work on the new revision, which starts as the write lands, also delays the apply call\'s own return.' : '')
  );
}

/**
 * How the all-edges time grows with N, set beside this process's CPU per rollout: every node here
 * shares one event loop (and the machine's cores with every nats-server), which real edges do not.
 */
function scalingNote(cairn: ReadonlyMap<number, Figures>, raw: ReadonlyMap<number, Figures>): string | undefined {
  const ns = [...cairn.keys()].sort((a, b) => a - b);
  const lo = ns[0];
  const hi = ns.at(-1);
  if (lo === undefined || hi === undefined || lo === hi) return undefined;
  const c0 = cairn.get(lo)!;
  const c1 = cairn.get(hi)!;
  const r0 = raw.get(lo);
  const r1 = raw.get(hi);
  // What one more edge costs this process per rollout: the slope between the smallest and largest N.
  const slope = (a: Figures, b: Figures): number => (b.cpu.self - a.cpu.self) / (hi - lo);
  const rawPart = r0 && r1 ? ` (raw: ${fmtMs(r0.all.p50)} → ${fmtMs(r1.all.p50)}, ${fmtRatio(r1.all.p50 / r0.all.p50)}; ${fmtMs(slope(r0, r1))} of CPU per extra edge watcher)` : '';
  return (
    `Scaling: from ${lo} to ${hi} edge${hi === 1 ? '' : 's'} Cairn's all-edges p50 went from ${fmtMs(c0.all.p50)} to ${fmtMs(c1.all.p50)} (${fmtRatio(c1.all.p50 / c0.all.p50)})${rawPart}. ` +
    `All ${hi} edge nodes run in this one process, so each edge's part of a rollout (receive and decode the record, plan, import the behaviour, start a supervisor tree of ${c1.actors} actors, publish ${c1.actors} 'started' events and a status report) runs one edge after another on one event loop: ` +
    `each extra edge costs this process about ${fmtMs(slope(c0, c1))} of CPU per rollout (slope of its CPU from ${lo} to ${hi} edges; it also counts each node's heartbeat every second and the status reports after the last start). ` +
    `At ${hi} edges that is ${fmtMs(c1.cpu.self)} of CPU per rollout for a ${fmtMs(c1.all.p50)} p50 rollout: the process is CPU-bound while it rolls out, on 2 cores shared with ${hi + 1} nats-servers. ` +
    `With one node per machine, as on real edges, that work runs in parallel: the ${lo}-edge figure, plus the fan-out the raw rows show, is the closer estimate of a real fleet's rollout.`
  );
}

/** Set-up cost and memory: how heavy N edges are on this machine. */
function footprintNote(byEdges: ReadonlyMap<number, Figures>): string {
  const parts = [...byEdges].map(
    ([n, f]) => `${n} edge${n === 1 ? '' : 's'}: servers up and linked in ${fmtMs(f.serversMs)}, nodes and controllers up ${fmtMs(f.setupMs)} after the start; RSS ${fmtBytes(f.rss.edgeServer)} per edge nats-server, ${fmtBytes(f.rss.cloud)} the cloud's, ${fmtBytes(f.rss.self)} this process with ${n + 1} nodes`,
  );
  return `Footprint of the Cairn variants (means over passes): ${parts.join('; ')}.`;
}

export function rolloutSection(passes: ReadonlyMap<string, Run[]>): Section {
  const figures = new Map([...passes].map(([v, runs]) => [v, figuresOf(runs)]));
  const rawOf = (v: string): Figures | undefined => figures.get(`raw-${v.split('-')[1]}`);
  const rows = [...figures].map(([v, f]) => row(v, f, rawOf(v)));
  const notes: string[] = [];
  const cairnByEdges = new Map<number, Figures>();
  for (const [v, f] of figures) {
    if (!v.startsWith('cairn-')) continue;
    cairnByEdges.set(f.edges, f);
    const raw = rawOf(v);
    if (raw) notes.push(comparisonNote(f.edges, f, raw));
  }
  const rawByEdges = new Map([...figures].filter(([v]) => v.startsWith('raw-')).map(([, f]) => [f.edges, f]));
  const scaling = scalingNote(cairnByEdges, rawByEdges);
  if (scaling) notes.push(scaling);
  if (cairnByEdges.size > 0) notes.push(footprintNote(cairnByEdges));
  return {
    title: 'Rollout to edge sites',
    intro: intro(
      [...new Set([...figures.values()].map((f) => f.edges))],
      resultOf([...passes.values()][0]![0]!).rounds.length,
      Math.max(...[...passes.values()].map((runs) => runs.length)),
    ),
    header: ['variant', 'edges', 'rollouts', 'all edges p50', 'all edges p50 per pass', 'all edges max', 'per-edge p50', 'per-edge p90', 'apply / put returned p50', 'ratio to raw', 'CPU ms per rollout: self / cloud / edges'],
    rows,
    goals: [],
    notes,
  };
}

const intro = (edgeCounts: readonly number[], rounds: number, passCount: number): string =>
  [
    `From \`apply\` to all actors running on ${edgeCounts.join(', ')} edge sites of this one machine.`,
    'Each child process starts its own topology (bench/leaf-sites.ts): a cloud nats-server (JetStream domain `cloud`, leafnode listener) and N edge nats-servers, each its own JetStream domain and a leaf of the cloud over a direct loopback link,',
    `configured by \`cloudSiteConfig\` / \`edgeSiteConfig\` as \`cairn site init\` does, with JetStream limited to ${fmtBytes(MAX_MEMORY_STORE)} memory / ${fmtBytes(MAX_FILE_STORE)} file per server.`,
    '`cairn-N`: one node per site (`createActorSystem` + `startAppController`, as `cairn site up` starts them; no cross-site peers, as nothing here sends across sites), all in the child process.',
    'An application of 3 inline actors (bench/rollout-behaviour.ts) placed on every edge is applied from a separate client of the cloud with `AppStore.open(js).apply(manifest)`, what `cairn apply` does: validate, open the `cairn_apps` bucket, read the current revision, write the new one.',
    "The clock runs from that call until every edge node has emitted a `started` event for all 3 actors (an in-process `system.onEvent` listener per edge; no polling). The edge controllers see the revision through their local mirror of `cairn_apps`, plan, import the behaviour and start the app's supervisor tree.",
    '`raw-N` is the floor of the mechanism underneath: no nodes; the same `cairn_apps` bucket on the cloud and on each edge the same mirror an edge controller opens (`openDesiredApps`), with one KV watch per edge;',
    "the clock runs from a `kv.put` of the same record bytes `AppStore` writes until every edge's watch has delivered it. The ratio to raw is Cairn's all-edges time over raw's at the same N.",
    `Each child does one warm-up rollout (mirror consumers established, behaviour module imported), then ${rounds} timed ones, each a new application (a fresh start on every edge, not a replace; earlier ones keep running); ${passCount} interleaved pass${passCount === 1 ? '' : 'es'} (fresh processes and servers).`,
    '"all edges" is a rollout\'s last edge; p50 and max are over every rollout of every pass, "per pass" is each pass\'s median; "per-edge" percentiles are over every edge of every rollout.',
    'CPU (ms per timed rollout): the child process (nodes or watchers, and the applying client) / the cloud nats-server / all edge nats-servers together.',
  ].join(' ');
