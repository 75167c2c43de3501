// `npm run bench`: starts one nats-server, runs every benchmark variant (Cairn and its raw
// baseline) as a fresh `node --expose-gc` child process against it, prints the figures and writes
// bench/RESULTS.md. When a goal is missed, the Cairn variant is run again under --cpu-prof and the
// profile is summarised in RESULTS.md.
//   npm run bench                      everything
//   npm run bench -- --only tell,ask   some benchmarks (their sections of bench/RESULTS.md are
//                                      replaced or appended, the others kept)
//   npm run bench -- --no-profile      skip the profiling re-runs
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { findNatsServer, locateNatsCli, natsServerVersion } from '../deploy/nats-server/index.ts';
import { startTestServer } from '../test/helpers/nats.ts';
import type { TestServer } from '../test/helpers/nats.ts';
import type { SyncInterval } from '../deploy/nats-server/index.ts';
import { compareProfiles, describeProfile, summarizeProfile } from './profile.ts';
import { failoverSection } from './failover-report.ts';
import { rolloutSection } from './rollout-report.ts';
import { deliverySection } from './delivery-report.ts';
import { bridgeSection, devicesSection } from './devices-report.ts';
import { fmtBytes, fmtInt, fmtMs, fmtRatio, fmtUs, mdTable, summarize, textTable } from './stats.ts';
import { cpuMsOf } from './harness.ts';
import type { TellRound } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const args = process.argv.slice(2);
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1]!.split(',')) : undefined;
const profileMisses = !args.includes('--no-profile');

export type Result = Record<string, unknown> & { variant: string; cpuMs: number };
export interface Run {
  readonly result: Result;
  readonly wallMs: number;
  /** CPU time nats-server used while this child ran. */
  readonly serverCpuMs: number;
}

const BENCHES = [
  // Tell runs PASSES interleaved passes over its variants, one measured round per process and pass,
  // so that a change in what else runs on the machine hits every variant alike.
  { name: 'tell', file: 'tell.ts', passes: 3, variants: ['nats-bench', 'raw', 'raw-msgid', 'raw-ackbatch', 'cairn-1', 'cairn-100', 'raw-default'] },
  // The same tell rounds against three servers that differ only in JetStream sync_interval
  // (`<variant>@<sync>`): what fsync on every write costs, against Cairn's defaults per site role.
  { name: 'durability', file: 'tell.ts', passes: 3, variants: ['raw@always', 'cairn-1@always', 'raw@1s', 'cairn-1@1s', 'raw@2m', 'cairn-1@2m'] },
  { name: 'ask', file: 'ask.ts', passes: 1, variants: ['raw-core', 'raw-js', 'cairn'] },
  // What per-node mailbox consumers would cost: one consumer listing k mailbox subjects.
  { name: 'filters', file: 'filters.ts', passes: 1, variants: ['wildcard', 'explicit-10', 'explicit-100', 'explicit-1000', 'explicit-3000', 'explicit-10000'] },
  { name: 'spawn', file: 'spawn.ts', passes: 1, variants: ['map', 'cairn-seq', 'cairn-conc', 'cairn-seq-noevents'] },
  // Restart and catch-up run each variant twice (interleaved passes) to show the spread.
  { name: 'restart', file: 'restart.ts', passes: 2, variants: ['inline', 'raw-worker', 'worker', 'raw-process', 'bare-process', 'process', 'raw-container', 'bare-container', 'container'] },
  { name: 'catchup', file: 'catchup.ts', passes: 2, variants: ['raw-10k', 'cairn-10k', 'raw-100k', 'cairn-100k'] },
  // Rollout starts a cloud and 1, 10 or 25 edge servers per child; each child times 10 rollouts
  // after a warm-up one (BENCH_ROLLOUT_ROUNDS).
  { name: 'rollout', file: 'rollout.ts', passes: 2, variants: ['raw-1', 'cairn-1', 'raw-10', 'cairn-10', 'raw-25', 'cairn-25'] },
  // Delivery: an app with a new ~200 KB bundle and 5 MB model to 1, 10 and 25 edges (BENCH_DELIVERY_ROUNDS, default 5).
  { name: 'delivery', file: 'delivery.ts', passes: 2, variants: ['raw-1', 'cairn-1', 'raw-10', 'cairn-10', 'raw-25', 'cairn-25'] },
  // A CLI call against a running site, each a fresh process (BENCH_CLI_ROUNDS, default 20).
  { name: 'cli', file: 'cli.ts', passes: 1, variants: ['raw-node', 'cairn-ps'] },
  // Failover kills a node process per sample (BENCH_FAILOVER_SAMPLES, default 5): ~6 s each.
  // Device traffic (issue 13): MQTT devices → an actor through the hub, beside raw nats-server MQTT
  // and mosquitto; each child starts its own servers.
  { name: 'devices', file: 'devices.ts', passes: 9, variants: ['raw-10', 'store-10', 'store-ackall-10', 'cairn-10', 'mosquitto-10', 'raw-100', 'store-100', 'store-ackall-100', 'cairn-100', 'mosquitto-100', 'raw-lat', 'cairn-lat', 'mosquitto-lat'] },
  { name: 'bridge', file: 'devices.ts', passes: 3, variants: ['bridge-mosquitto', 'bridge-cairn'] },
  { name: 'failover', file: 'failover.ts', passes: 1, variants: ['restart-1', 'failover-1', 'restart-100', 'failover-100', 'hosted-1', 'hosted-10'] },
] as const;



/** Median over rounds of CPU per message, µs (client side or server). */
function cpuPerMsgUs(rounds: readonly TellRound[], side: 'clientCpuMs' | 'serverCpuMs'): number {
  const xs = rounds.map((r) => ((r[side] ?? Number.NaN) * 1000) / r.n).sort((a, b) => a - b);
  return xs[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;
}

/** Merges the passes of one tell variant: all rounds, medians over them. */
function mergeTell(runs: Run[]): Run {
  const rounds = runs.flatMap((r) => r.result.rounds as TellRound[]);
  const med = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  return {
    result: {
      ...runs[0]!.result,
      rounds,
      msgsPerSec: med(rounds.map((r) => r.msgsPerSec)),
      publishPerSec: med(rounds.map((r) => r.n / (r.publishMs / 1000))),
      cpuMs: runs.reduce((a, r) => a + r.result.cpuMs, 0),
    },
    wallMs: runs.reduce((a, r) => a + r.wallMs, 0),
    serverCpuMs: runs.reduce((a, r) => a + r.serverCpuMs, 0),
  };
}

// ---- processes ---------------------------------------------------------------------------------


async function runChild(server: TestServer, file: string, variant: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const cpu0 = await cpuMsOf(server.pid);
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, file)], {
    cwd: root,
    env: { ...process.env, BENCH_NATS_URL: server.url, BENCH_SERVER_PID: String(server.pid), BENCH_VARIANT: variant, CAIRN_LOG_LEVEL: 'error', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let result: Result | undefined;
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('BENCH_RESULT ')) result = JSON.parse(line.slice('BENCH_RESULT '.length)) as Result;
    else process.stderr.write(`  [${file} ${variant}] ${line}\n`);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const wallMs = performance.now() - t0;
  const serverCpuMs = (await cpuMsOf(server.pid)) - cpu0;
  if (code !== 0 || !result) throw new Error(`bench/${file} ${variant} failed (exit ${code}):\n${stderr.slice(-30).join('\n')}`);
  return { result, wallMs, serverCpuMs };
}

/** Operations one child measures (for CPU per operation): messages in all rounds, or ask samples. */
function opsOf(result: Result): number {
  if (Array.isArray(result.rounds)) return (result.rounds as { n: number }[]).reduce((a, r) => a + r.n, 0);
  return (result.n as number | undefined) ?? (result.count as number);
}

const profiles = new Map<string, { run: Run; summary: Awaited<ReturnType<typeof summarizeProfile>> }>();

/** Runs `variant` (and its baseline) again with the measured part profiled; returns what it shows. */
async function profileChild(server: TestServer, file: string, variant: string, baseline: string | undefined): Promise<string> {
  const dir = await mkdtemp(join(os.tmpdir(), 'cairn-prof-'));
  try {
    const profile = async (v: string) => {
      const key = `${file} ${v}`;
      const cached = profiles.get(key);
      if (cached) return cached;
      const path = join(dir, `${v}.cpuprofile`);
      const run = await runChild(server, file, v, { BENCH_CPU_PROFILE: path });
      const out = { run, summary: await summarizeProfile(path) };
      profiles.set(key, out);
      return out;
    };
    const c = await profile(variant);
    let text = describeProfile(variant, c.summary, c.run.serverCpuMs / c.run.wallMs);
    if (baseline) {
      const b = await profile(baseline);
      text += ` ${compareProfiles(variant, c.summary, opsOf(c.run.result), baseline, b.summary, opsOf(b.run.result))}`;
    }
    return text;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const loadavg = (): string => os.loadavg().map((l) => l.toFixed(2)).join(', ');

/** The code measured: HEAD's short hash, and how many tracked files differed from it (uncommitted work). */
function codeVersion(): string {
  const git = (...args: string[]): string => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const changed = git('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length;
  return changed > 0 ? `${head} with ${changed} tracked files changed (uncommitted)` : head;
}

// ---- machine -----------------------------------------------------------------------------------

async function machine(): Promise<Record<string, string>> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const binary = await findNatsServer();
  return {
    CPU: model,
    Cores: String(os.cpus().length),
    Memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    OS: `${os.type()} ${os.release()}`,
    Node: process.version,
    'nats-server': `${await natsServerVersion(binary)} (${binary})`,
    'NATS CLI (nats bench)': await locateNatsCli().then((c) => `${c.version ?? 'unknown'} (${c.path})`, (err: unknown) => `not found: ${(err as Error).message}`),
    'NATS client': '@nats-io/transport-node + @nats-io/jetstream 3.4',
    'Load average at start': os.loadavg().map((l) => l.toFixed(2)).join(', '),
    Date: new Date().toISOString(),
    Commit: codeVersion(),
  };
}

// ---- report ------------------------------------------------------------------------------------

export interface Section {
  readonly title: string;
  readonly intro: string;
  readonly header: string[];
  readonly rows: string[][];
  readonly goals: { readonly text: string; readonly met: boolean; readonly profile?: { file: string; variant: string; baseline?: string } }[];
  notes: string[];
}

const pctOfCore = (r: Run): string => `${((r.result.cpuMs / r.wallMs) * 100).toFixed(0)}% / ${((r.serverCpuMs / r.wallMs) * 100).toFixed(0)}%`;

function tellSection(runs: Map<string, Run>): Section {
  const raw = runs.get('raw')!.result.msgsPerSec as number;
  const floor = runs.get('nats-bench')?.result.msgsPerSec as number | undefined;
  const rows = [...runs.values()].map((r) => {
    const rounds = r.result.rounds as TellRound[];
    return [
      `\`${r.result.variant}\``,
      fmtInt(r.result.msgsPerSec as number),
      rounds.map((x) => fmtInt(x.msgsPerSec)).join(' / '),
      fmtInt(r.result.publishPerSec as number),
      fmtRatio((r.result.msgsPerSec as number) / raw),
      floor === undefined ? '—' : fmtRatio((r.result.msgsPerSec as number) / floor),
      fmtUs(cpuPerMsgUs(rounds, 'clientCpuMs')),
      fmtUs(cpuPerMsgUs(rounds, 'serverCpuMs')),
    ];
  });
  const roundsOf = (v: string): TellRound[] => runs.get(v)!.result.rounds as TellRound[];
  const rawCpu = cpuPerMsgUs(roundsOf('raw'), 'clientCpuMs');
  const goal = (v: string) => {
    const ratio = (runs.get(v)!.result.msgsPerSec as number) / raw;
    const cpu = cpuPerMsgUs(roundsOf(v), 'clientCpuMs') / rawCpu;
    return {
      text: `\`${v}\`: ${fmtRatio(ratio)} of raw's throughput (goal ≥ 0.85×) at ${fmtRatio(cpu)} of its client CPU per message (goal ≤ 1.20×)`,
      met: ratio >= 0.85 && cpu <= 1.2,
      profile: { file: 'tell.ts', variant: v, baseline: 'raw' },
    };
  };
  const n = runs.get('raw')!.result.n as number;
  return {
    title: 'Tell throughput',
    intro: `${fmtInt(n)} messages of ~71 bytes (msgpack), sent in windows of 1,000 un-awaited sends; time from the first send to the last message handled (raw: acked by the consumer). Each variant runs in 3 interleaved passes (nats-bench, raw, raw-msgid, cairn-1, ... then again), each a fresh process doing a 2,000-message warm-up round and one measured round on fresh streams; the figure is the median of the 3 measured rounds. \`nats-bench\` is the floor of the mechanism: the NATS CLI's Go benchmark on the same server, \`nats bench js consume\` (durable consumer, explicit acks, batch 512) waiting on a WorkQueue stream while \`nats bench js pub async --batch 1000\` publishes messages of the same size. \`raw\`: the same in nats.js: WorkQueue stream, durable pull consumer (same max_ack_pending 1024 and batch 512 as Cairn's), \`consume()\` + \`ack()\`. \`raw-msgid\` adds a Nats-Msg-Id header per publish, as Cairn's tell does (server-side de-duplication). \`cairn-1\`: one actor; \`cairn-100\`: 100 actors, sends round-robin. Raw baselines connect with \`noAsyncTraces: true\`, as Cairn's node does (same client, same settings); \`raw-default\` is \`raw\` with the client's default options, for reference only. \`raw-ackbatch\` is \`raw\` acking as Cairn's node does since 2026-12-02, a moment later and together (kernel/ack-batcher.ts: 2 ms or 256 waiting; on a WorkQueue file stream every ack that empties the stream makes nats-server replace its message block file), for reference: the goals stay against \`raw\`, which acks each message as it reads it. "publish-acked" is the rate at which the sends themselves completed. CPU per message (median of the rounds, from first send to last handled): the client side (this process; for nats-bench its two CLI processes, whole runs) and nats-server. The server runs with nats-server's default sync_interval (2 minutes); "Durability" below measures the other settings.`,
    header: ['variant', 'msgs/s (median)', 'rounds', 'publish-acked msgs/s', 'ratio to raw', 'ratio to nats-bench', 'client CPU / msg', 'server CPU / msg'],
    rows,
    goals: [goal('cairn-1'), goal('cairn-100')],
    notes: [],
  };
}

/** The JetStream sync_interval of each durability server (`<variant>@<sync>`). */
const SYNC_SETTINGS = ['always', '1s', '2m'] as const;

function durabilitySection(runs: Map<string, Run>): Section {
  const rows: string[][] = [];
  const of = (variant: string, sync: string): Run | undefined => runs.get(`${variant}@${sync}`);
  for (const sync of SYNC_SETTINGS) {
    for (const variant of ['raw', 'cairn-1']) {
      const r = of(variant, sync);
      if (!r) continue;
      const rounds = r.result.rounds as TellRound[];
      const base = of(variant, '2m')?.result.msgsPerSec as number | undefined;
      rows.push([
        `\`${sync}\``,
        `\`${variant}\``,
        fmtInt(r.result.msgsPerSec as number),
        rounds.map((x) => fmtInt(x.msgsPerSec)).join(' / '),
        fmtInt(r.result.publishPerSec as number),
        base === undefined ? '—' : fmtRatio((r.result.msgsPerSec as number) / base),
        fmtUs(cpuPerMsgUs(rounds, 'clientCpuMs')),
        fmtUs(cpuPerMsgUs(rounds, 'serverCpuMs')),
      ]);
    }
  }
  const notes: string[] = [];
  const always = of('cairn-1', 'always');
  const second = of('cairn-1', '1s');
  const lazy = of('cairn-1', '2m');
  if (always && second && lazy) {
    const rate = (r: Run): number => r.result.msgsPerSec as number;
    notes.push(
      `Cairn's defaults (deploy/nats-server/site-configs.ts, DEFAULT_SYNC_INTERVAL): edges and \`cairn up\` \`always\`, the cloud \`1s\`. On this machine a tell with \`always\` ran at ${fmtInt(rate(always))} msgs/s, ${fmtRatio(rate(always) / rate(lazy))} of nats-server's default (${fmtInt(rate(lazy))} msgs/s); \`1s\` ran at ${fmtRatio(rate(second) / rate(lazy))} of it. The fsync cost depends on the storage: this is a VM disk; an SD card or eMMC on an edge device is slower per fsync, so set \`syncInterval\` per edge in the sites file when an edge's message rate needs it (docs/sites.md, "Durability").`,
    );
  }
  return {
    title: 'Durability: what fsync costs',
    intro: `The tell benchmark's \`raw\` and \`cairn-1\` rounds (same N, window and payload as above) against three nats-servers that differ only in JetStream \`sync_interval\`: \`always\` (fsync before each write is acknowledged, so nothing acknowledged is lost to a power cut), \`1s\` and \`2m\` (nats-server's default). 3 interleaved passes, each a fresh process; medians of the rounds. CPU per message as above.`,
    header: ['sync_interval', 'variant', 'msgs/s (median)', 'rounds', 'publish-acked msgs/s', 'ratio to 2m', 'client CPU / msg', 'server CPU / msg'],
    rows,
    goals: [],
    notes,
  };
}

function filtersSection(runs: Map<string, Run>): Section {
  const wildcard = runs.get('wildcard')?.result;
  const rows = [...runs.values()].map(({ result: r }) => [
    `\`${r.variant}\``,
    r.filters === 0 ? '1 (wildcard)' : fmtInt(r.filters as number),
    fmtMs(r.createMs as number),
    r.updates === 0 ? '—' : fmtMs(r.updateMs as number),
    fmtInt(r.msgsPerSec as number),
    wildcard ? fmtRatio((r.msgsPerSec as number) / (wildcard.msgsPerSec as number)) : '—',
    fmtUs(r.clientCpuUsPerMsg as number),
    fmtUs(r.serverCpuUsPerMsg as number),
  ]);
  const at = (v: string) => runs.get(v)?.result;
  const k1000 = at('explicit-1000');
  const k10000 = at('explicit-10000');
  const notes: string[] = [];
  if (wildcard && k1000 && k10000) {
    notes.push(
      `Why a site's mailbox is still consumed by its leader alone (README, "Known limits"): a WorkQueue stream refuses a second consumer whose filters overlap another's (error 10100, "filtered consumer not unique on workqueue stream"; test/kernel/multi-filter-consumers.test.ts), so the leader could not keep its catch-all \`cairn.mbx.<site>.>\` beside a node's consumer of its own actors: every node, the leader too, would list its actors' mailboxes one by one and change that list at every spawn, stop and move. Measured here, with 1,000 subjects a consumer update takes ${fmtMs(k1000.updateMs as number)} and delivery runs at ${fmtRatio((k1000.msgsPerSec as number) / (wildcard.msgsPerSec as number))} of the wildcard consumer's; with 10,000 (a node of the kernel's tested size) one update takes ${fmtMs(k10000.updateMs as number)}. A filter added to a consumer also does not deliver what the stream stored for it before the update (same test file), so each move needs a consumer reset or recreation that redelivers what the node holds. With few actors per node (up to ~100 subjects, updates of a few ms) it would pay; the leader, which hosts every actor not placed elsewhere, cannot list them. Partitioned mailbox subjects (a partition token in the subject, consumers per partition, placement by partition) would avoid lists, at the price of placement freedom; that design is the next step and is not built.`,
    );
  }
  return {
    title: 'Consumers with several filter subjects',
    intro: `One WorkQueue stream, one consumer (\`consume()\` + \`ack()\`, max_ack_pending 1024, batch 512, as Cairn's mailbox consumer). \`wildcard\`: filter \`<prefix>.*\` over 100 subjects (today's one consumer per site). \`explicit-<k>\`: \`filter_subjects\` listing k subjects, as a per-node mailbox consumer listing its k actors would. "create": the consumer create request; "add one": mean time of a consumer update that adds one subject (a spawn on that node; 10 updates, 2 at 10,000); "consume": N stored messages spread over the subjects, from the first pull to the last ack, with CPU per message for this process and nats-server. One pass per variant, each a fresh process.`,
    header: ['variant', 'filter subjects', 'create', 'add one', 'consume msgs/s', 'ratio to wildcard', 'client CPU / msg', 'server CPU / msg'],
    rows,
    goals: [],
    notes,
  };
}

function askSection(runs: Map<string, Run>): Section {
  const rawJs = runs.get('raw-js')!.result;
  const rows = [...runs.values()].map((r) => [
    `\`${r.result.variant}\``,
    fmtMs(r.result.p50 as number),
    fmtMs(r.result.p90 as number),
    fmtMs(r.result.p99 as number),
    fmtMs(r.result.max as number),
    fmtRatio((r.result.p50 as number) / (rawJs.p50 as number)),
    fmtRatio((r.result.p99 as number) / (rawJs.p99 as number)),
  ]);
  const c = runs.get('cairn')!.result;
  const ratio = (c.p50 as number) / (rawJs.p50 as number);
  return {
    title: 'Ask latency',
    intro: `${fmtInt(rawJs.n as number)} sequential round trips after ${rawJs.warmup as number} warm-up ones. \`raw-core\`: \`nc.request\` to a core subscriber. \`raw-js\`: publish to a WorkQueue stream (awaiting the publish ack, as an ask does), a durable pull consumer receives, acks and core-publishes the reply to the requester's inbox. \`cairn\`: \`ref.ask\` to one actor that returns a number. Raw baselines connect with \`noAsyncTraces: true\`, as Cairn's node does.`,
    header: ['variant', 'p50', 'p90', 'p99', 'max', 'p50 ratio to raw-js', 'p99 ratio to raw-js'],
    rows,
    notes: [],
    goals: [{ text: `\`cairn\` p50 ${fmtMs(c.p50 as number)} = ${fmtRatio(ratio)} of raw-js (goal ≤ 1.50×); p99 ${fmtRatio((c.p99 as number) / (rawJs.p99 as number))}`, met: ratio <= 1.5, profile: { file: 'ask.ts', variant: 'cairn', baseline: 'raw-js' } }],
  };
}

function cliSection(runs: Map<string, Run>): Section {
  const raw = runs.get('raw-node')!.result;
  const rows = [...runs.values()].map((r) => [
    `\`${r.result.variant}\``,
    fmtMs(r.result.firstMs as number),
    fmtMs(r.result.p50 as number),
    fmtMs(r.result.p90 as number),
    fmtMs(r.result.max as number),
    fmtMs(r.result.cpuP50 as number),
    fmtRatio((r.result.p50 as number) / (raw.p50 as number)),
  ]);
  const ps = runs.get('cairn-ps')!.result;
  return {
    title: 'A CLI call against a running site',
    intro: `A site with one node and ${ps.actors as number} inline actors runs on the benchmark's server; each variant is started ${ps.rounds as number} times as a fresh child process, after one warm-up call (first column), and timed from spawn to exit. \`raw-node\`: the floor of a Node command that asks NATS one thing: \`node\` running a plain .mjs that imports the NATS client, connects, makes one JetStream API request and exits. \`cairn-ps\`: \`node bin/cairn.mjs ps --server … --site …\`, the command as installed (compiled JavaScript). CPU: user + system of the child, p50.`,
    header: ['variant', 'warm-up call', 'p50', 'p90', 'max', 'CPU p50', 'p50 ratio to raw-node'],
    rows,
    notes: [],
    goals: [{ text: `\`cairn-ps\` p50 ${fmtMs(ps.p50 as number)} (goal ≤ 500 ms); ${fmtRatio((ps.p50 as number) / (raw.p50 as number))} of a bare Node call`, met: (ps.p50 as number) <= 500 }],
  };
}

function spawnSection(runs: Map<string, Run>): Section {
  const map = runs.get('map')!.result;
  const rows = [...runs.values()].map((r) => [
    `\`${r.result.variant}\``,
    String(r.result.concurrency),
    fmtInt(r.result.spawnsPerSec as number),
    fmtBytes(r.result.heapPerActor as number),
    fmtBytes(r.result.externalPerActor as number),
    fmtBytes(r.result.rssPerActor as number),
    `${fmtBytes(r.result.heapCommittedPerActor as number)} (${fmtBytes(r.result.newSpaceCommittedPerActor as number)})`,
    r.result.variant === 'map' ? '—' : fmtBytes((r.result.heapPerActor as number) - (map.heapPerActor as number)),
  ]);
  const goals: Section['goals'] = [];
  for (const v of ['cairn-seq', 'cairn-conc']) {
    const r = runs.get(v)!.result;
    goals.push({ text: `\`${v}\`: ${fmtInt(r.spawnsPerSec as number)} spawns/s (goal ≥ 1,000)`, met: (r.spawnsPerSec as number) >= 1000, profile: { file: 'spawn.ts', variant: v } });
  }
  for (const v of ['cairn-seq', 'cairn-conc']) {
    const r = runs.get(v)!.result;
    const perActor = (r.heapPerActor as number) + Math.max(0, r.externalPerActor as number);
    goals.push({ text: `\`${v}\`: ${fmtBytes(perActor)} retained (heap used + external) per idle actor (goal ≤ 4 KiB)`, met: perActor <= 4096 });
    const rss = r.rssPerActor as number;
    const committed = r.heapCommittedPerActor as number;
    const young = r.newSpaceCommittedPerActor as number;
    const used = r.heapPerActor as number;
    goals.push({
      text: `\`${v}\`: RSS grew ${fmtBytes(rss)} per idle actor (goal ≤ 4 KiB). Of that, ${fmtBytes(r.newSpaceCommittedPerActor as number)} is V8's young generation grown during the spawn burst, ${fmtBytes(committed - young - used)} other committed but free heap, ${fmtBytes(used)} reachable heap and ${fmtBytes(rss - committed)} outside the JS heap (code, native buffers)`,
      met: rss <= 4096,
    });
  }
  return {
    title: 'Spawn rate and memory per idle actor',
    intro: `${fmtInt(map.count as number)} idle actors (in-memory state \`{ n: 0 }\`) spawned under the root supervisor, one at a time (\`cairn-seq\`) or with 100 spawns outstanding (\`cairn-conc\`), each variant in a fresh process. Memory is measured after \`global.gc()\` before and after, divided by the count: "heap" is what stays reachable (heapUsed), "RSS" what the process holds from the OS, which also counts free heap space V8 keeps committed. \`map\`: the same number of plain objects (\`{ id, behaviour, status, state }\`) in a Map, to show the overhead.`,
    header: ['variant', 'concurrency', 'spawns/s', 'heap / actor', 'external / actor', 'RSS / actor', 'heap committed / actor (young gen)', 'heap over map'],
    rows,
    goals,
    notes: runs.has('cairn-seq-noevents')
      ? [
          `What-if (not a goal): \`cairn-seq-noevents\` is \`cairn-seq\` with the node's lifecycle events not published over NATS. Its RSS grew ${fmtBytes(runs.get('cairn-seq-noevents')!.result.rssPerActor as number)} per actor with ${fmtBytes(runs.get('cairn-seq-noevents')!.result.heapPerActor as number)} of reachable heap: the RSS above \`cairn-seq\`'s reachable heap is mostly committed-but-free heap and native memory the process keeps after encoding and sending one 'started' event per spawn, not state held per actor.`,
        ]
      : [],
  };
}

/** Each pass's value of `f`, "a / b". */
const perPass = (runs: Run[], f: (r: Result) => number, fmt: (x: number) => string = fmtMs): string => runs.map((r) => fmt(f(r.result))).join(' / ');
const meanOf = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
type Parts = Record<string, { p50: number }>;

function restartSection(passes: Map<string, Run[]>): Section {
  /** Percentiles over every pass's samples together. */
  const pooled = (v: string) => summarize((passes.get(v) ?? []).flatMap((r) => r.result.samples as number[]));
  const baselineOf: Record<string, string> = { worker: 'raw-worker', process: 'raw-process', container: 'raw-container' };
  const rows = [...passes].map(([v, runs]) => {
    const all = pooled(v);
    const base = baselineOf[v] ?? (v.startsWith('bare-') ? `raw-${v.slice(5)}` : undefined);
    const part = (k: string) => (runs[0]!.result.parts as Parts)[k] ? perPass(runs, (r) => (r.parts as Parts)[k]!.p50) : '—';
    return [
      `\`${v}\``,
      runs.map((r) => String(r.result.n)).join(' + '),
      fmtMs(all.p50),
      perPass(runs, (r) => r.p50 as number),
      fmtMs(all.p99),
      perPass(runs, (r) => r.p99 as number),
      part('startMs'),
      part('firstMsgMs'),
      part('sendMs'),
      base && passes.has(base) ? fmtRatio(all.p50 / pooled(base).p50) : '—',
    ];
  });
  const goals: Section['goals'] = [];
  if (passes.has('inline')) {
    const p99 = pooled('inline').p99;
    goals.push({ text: `\`inline\`: p99 ${fmtMs(p99)} from crash to the next reply (goal < 10 ms)`, met: p99 < 10 });
  }
  for (const [v, base] of Object.entries(baselineOf)) {
    if (!passes.has(v) || !passes.has(base)) continue;
    const c = pooled(v).p50;
    const b = pooled(base).p50;
    goals.push({ text: `\`${v}\`: p50 ${fmtMs(c)} = ${fmtRatio(c / b)} of \`${base}\` ${fmtMs(b)} (goal ≤ 1.30×)`, met: c / b <= 1.3 });
  }
  const notes: string[] = [];
  for (const m of ['process', 'container']) {
    if (!passes.has(m) || !passes.has(`bare-${m}`) || !passes.has(`raw-${m}`)) continue;
    const c = pooled(m).p50;
    const bare = pooled(`bare-${m}`).p50;
    const raw = pooled(`raw-${m}`).p50;
    const start = meanOf(passes.get(m)!.map((r) => (r.result.parts as Parts).startMs!.p50));
    notes.push(
      `What limits \`${m}\`: of its ${fmtMs(c)} p50, ${fmtMs(start)} is crash → 'started' (the supervisor and the new guest's start-up up to its \`ready\` frame). The guest command started alone (\`bare-${m}\`: started, sent \`init\`, until its first frame, no node) takes ${fmtMs(bare)} = ${fmtRatio(bare / raw)} of \`raw-${m}\`: the guest's own start-up (node loading the pre-bundled guest, kernel/runtimes/guest-bundle.ts, and the packages it imports: msgpackr, pino, ts-pattern, the NATS client${m === 'container' ? ', from the read-only bind mounts of a fresh container' : ''}) is the cost. ${c > bare ? `Cairn's restart machinery adds ${fmtMs(c - bare)} on top of it (${fmtRatio(c / bare)} of \`bare-${m}\`).` : `Cairn's own part is within the noise (its p50 is ${fmtMs(bare - c)} below \`bare-${m}\`'s).`}`,
    );
  }
  if (passes.has('worker') && passes.has('raw-worker')) {
    const c = pooled('worker').p50;
    const raw = pooled('raw-worker').p50;
    notes.push(`\`raw-worker\` is the floor of a worker thread: \`new Worker()\` of a minimal plain .mjs until its first message. The worker guest (the behaviour and Cairn's guest runtime pre-bundled to plain JavaScript, no compiler) and Cairn's restart machinery add ${fmtMs(c - raw)} to it.`);
  }
  return {
    title: 'Restart latency per mode',
    intro: `One actor (bench/restart-behaviour.ts, \`retry.maxAttempts: 1\`, not persisted) is sent a crash message (inline: the handler throws; worker, process, container: the guest calls \`process.exit(3)\`), immediately followed by an ask. **Restart latency** = from the actor's \`crashed\` event (stamped with \`performance.now()\` by a \`system.onEvent\` listener in the node's process; it is emitted after the crash was detected and the crash message dead-lettered) to the ask's reply arriving at the asker, which is the first message the new incarnation handles (the reply, 1, proves it is a fresh incarnation). The columns split it at the \`started\` event; "send → reply" adds the crash itself and its detection (from sending the crash message). Samples after warm-up restarts: inline 200, worker 30, process 30, container 10, per pass; 2 passes, each a fresh process; p50/p99 are over both passes' samples, the per-pass figures show the spread. Baselines, the bare floor of each mode (same sample counts): \`raw-worker\` \`new Worker()\` of a minimal plain .mjs (bench/restart-floor.mjs) until its first message; \`raw-process\` spawn of \`node\` running that script until its first output; \`raw-container\` docker create + attach + start of the guest image (\`cairn-base:local\`, the same binds and options as jsContainerSpec) running that script with node until its first output. What-ifs, not goals: \`bare-process\` and \`bare-container\` start the Cairn guest command alone (spawn or create + start, \`init\`, until its \`ready\` frame).`,
    header: ['variant', 'samples', 'p50', 'p50 per pass', 'p99', 'p99 per pass', 'crash → started p50', 'started → reply p50', 'send → reply p50', 'p50 ratio to baseline'],
    rows,
    goals,
    notes,
  };
}

function catchupSection(passes: Map<string, Run[]>): Section {
  const avg = (v: string, k: string): number => meanOf((passes.get(v) ?? []).map((r) => r.result[k] as number));
  const rows = [...passes].map(([v, runs]) => {
    const raw = `raw-${v.split('-')[1]}`;
    const cpu = (k: 'self' | 'cloud' | 'edge') => fmtInt(meanOf(runs.map((r) => (r.result.cpu as Record<string, number>)[k]!)));
    return [
      `\`${v}\``,
      fmtInt(runs[0]!.result.n as number),
      perPass(runs, (r) => r.sendMs as number),
      perPass(runs, (r) => r.resumeMs as number),
      perPass(runs, (r) => r.storedMs as number),
      perPass(runs, (r) => r.handledMs as number),
      fmtInt(avg(v, 'msgsPerSec')),
      fmtInt(avg(v, 'afterResumeMsgsPerSec')),
      v.startsWith('cairn') && passes.has(raw) ? fmtRatio(avg(v, 'handledMs') / avg(raw, 'handledMs')) : '—',
      `${cpu('self')} / ${cpu('cloud')} / ${cpu('edge')}`,
    ];
  });
  const goals: Section['goals'] = [];
  const notes: string[] = [];
  for (const size of ['10k', '100k']) {
    const c = `cairn-${size}`;
    const r = `raw-${size}`;
    if (!passes.has(c) || !passes.has(r)) continue;
    const ratio = avg(c, 'handledMs') / avg(r, 'handledMs');
    const rAfter = avg(r, 'handledMs') - avg(r, 'resumeMs');
    const afterResume = rAfter > 0 ? (avg(c, 'handledMs') - avg(c, 'resumeMs')) / rAfter : Number.NaN;
    goals.push({ text: `\`${c}\`: all handled ${fmtMs(avg(c, 'handledMs'))} after the thaw = ${fmtRatio(ratio)} of \`${r}\` all acked ${fmtMs(avg(r, 'handledMs'))} (goal ≤ 1.20×; means of 2 passes); counting from when forwarding resumed, ${fmtRatio(afterResume)}`, met: ratio <= 1.2 });
    const cRate = avg(c, 'afterResumeMsgsPerSec');
    const rRate = avg(r, 'afterResumeMsgsPerSec');
    const stored = avg(c, 'storedMs') - avg(c, 'resumeMs');
    const rStored = avg(r, 'storedMs') - avg(r, 'resumeMs');
    notes.push(
      `${size}: forwarding resumed ${fmtMs(avg(c, 'resumeMs'))} (Cairn) and ${fmtMs(avg(r, 'resumeMs'))} (raw) after the thaw: that delay (the leaf reconnecting; for Cairn also its forwarder noticing the dead pull after two missed heartbeats, then its retry backoff) is in both, and varies from pass to pass (see the table). From then on, the cloud stream received all ${size} in ${fmtMs(stored)} (Cairn mailbox) vs ${fmtMs(rStored)} (raw), and they were handled at ${fmtInt(cRate)} msgs/s vs acked at ${fmtInt(rRate)} msgs/s (${fmtRatio(cRate / rRate)}). CPU over the catch-up (ms): this process ${fmtInt(meanOf(passes.get(c)!.map((x) => (x.result.cpu as Record<string, number>).self!)))} (Cairn: the cloud node, its actor and the idle edge node) vs ${fmtInt(meanOf(passes.get(r)!.map((x) => (x.result.cpu as Record<string, number>).self!)))} (raw consumer).`,
    );
  }
  return {
    title: 'Catch-up after an outage',
    intro: `A cloud site and edge1 (test/helpers/topology.ts: two nats-servers, edge1 a leaf of the cloud through a TCP proxy, leaf ping 1 s), started fresh in each child process. The link is frozen, N messages (~71-byte reading) are sent from edge1 to the cloud with 1,000 in flight, the link stays cut at least 5 s (so both sides see it dead), then it is thawed with its connections reset, and the clock starts. \`cairn\`: an edge1 node tells an actor on the cloud site (the tells land in edge1's outbox stream, the cloud leader's outbox forwarder pulls them through \`$JS.edge1.API\` and stores them in its mailbox, one at a time per actor); the inline actor (not persisted) counts; "all handled" is when it handled the Nth. The cloud node's mailbox capacity is raised to N + 1,000 (default 10,000 per actor, new messages refused beyond it) so the whole backlog fits one actor. \`raw\`: the bare floor of that mechanism: a Limits stream on edge1, a WorkQueue stream on the cloud, and a plain forwarder on the cloud that pulls the edge stream through \`$JS.edge1.API\` (a durable pull consumer with Cairn's settings, reset to its ack floor and started at the thaw) and publishes every message into the cloud stream without waiting (no per-actor order), acking each once stored; a durable pull consumer on the cloud stream (\`consume()\` + \`ack()\`, max_ack_pending 1,024 as Cairn's) counting; "all handled" is the Nth ack sent. In both, the cloud stream's last sequence is polled every 20 ms from the thaw: "resumed" is the first new message, "stored" all N received. Each variant runs in 2 interleaved passes (fresh processes and servers); times are per pass, rates and ratios are means of the 2 passes. CPU: this process / cloud nats-server / edge1 nats-server, ms, from the thaw to all handled.`,
    header: ['variant', 'N', 'send during outage', 'thaw → resumed', 'thaw → stored', 'thaw → all handled', 'msgs/s from thaw', 'msgs/s from resume', 'ratio to raw', 'CPU ms self / cloud / edge'],
    rows,
    goals,
    notes,
  };
}

function renderSection(s: Section): string {
  const out = [`## ${s.title}`, '', s.intro, '', mdTable(s.header, s.rows)];
  // A benchmark without goals (rollout) gets no empty Goals heading.
  if (s.goals.length > 0) out.push('', '**Goals**', '');
  for (const g of s.goals) out.push(`- ${g.met ? '✅ met' : '❌ missed'} — ${g.text}`);
  for (const n of s.notes) out.push('', n);
  out.push('');
  return out.join('\n');
}

function render(info: Record<string, string>, sections: Section[]): string {
  const out = ['# Cairn benchmarks', '', 'Written by `npm run bench` (bench/run.ts). Every figure below comes from one run on this machine, Cairn and its raw baseline against the same nats-server process with the same client library and payload (the catch-up and rollout benchmarks start their own cloud + edge servers). The machine is shared: the load averages below show what else ran, and the per-round figures show the spread from run to run, so read ratios as approximate. Sections written by `--only` say when they ran and under which load.', ''];
  out.push(mdTable(['machine', ''], Object.entries(info).map(([k, v]) => [k, v])), '');
  for (const s of sections) out.push(renderSection(s));
  return out.join('\n');
}

/** Replaces the sections of an existing RESULTS.md that were run again (by title), appends new ones. */
function mergeSections(existing: string, sections: Section[]): string {
  const parts = existing.split(/\n(?=## )/);
  const head = parts.shift()!;
  const kept = parts.map((p) => ({ title: p.slice(3, p.indexOf('\n')).trim(), text: p.replace(/\n*$/, '\n') }));
  for (const s of sections) {
    const text = renderSection(s);
    const at = kept.findIndex((k) => k.title === s.title);
    if (at >= 0) kept[at] = { title: s.title, text };
    else kept.push({ title: s.title, text });
  }
  return [head.replace(/\n*$/, '\n'), ...kept.map((k) => k.text)].join('\n');
}

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const info = await machine();
  const server = await startTestServer();
  // Servers that differ only in sync_interval, for the durability benchmark (started when needed).
  const syncServers = new Map<string, TestServer>();
  const serverFor = async (variant: string): Promise<{ server: TestServer; variant: string }> => {
    const at = variant.indexOf('@');
    if (at < 0) return { server, variant };
    const sync = variant.slice(at + 1);
    let s = syncServers.get(sync);
    if (!s) {
      s = await startTestServer({ extra: { jetstream: { sync_interval: sync as SyncInterval } } });
      syncServers.set(sync, s);
    }
    return { server: s, variant: variant.slice(0, at) };
  };
  console.log(`nats-server ${info['nats-server']} at ${server.url}; ${info.CPU}, ${info.Cores} cores, load ${info['Load average at start']}`);
  const sections: Section[] = [];
  try {
    for (const bench of BENCHES) {
      if (only && !only.has(bench.name)) continue;
      const loadBefore = loadavg();
      const passes = new Map<string, Run[]>();
      for (let pass = 1; pass <= bench.passes; pass++) {
        for (const variant of bench.variants) {
          process.stdout.write(`${bench.name} ${variant}${bench.passes > 1 ? ` (pass ${pass}/${bench.passes})` : ''} ... `);
          const target = await serverFor(variant);
          const run = await runChild(target.server, bench.file, target.variant, bench.file === 'tell.ts' ? { BENCH_ROUNDS: '1' } : {});
          passes.set(variant, [...(passes.get(variant) ?? []), run]);
          console.log(`done in ${(run.wallMs / 1000).toFixed(1)} s`);
        }
      }
      const runs = new Map([...passes].map(([v, rs]) => [v, rs.length > 1 && bench.file === 'tell.ts' ? mergeTell(rs) : rs[0]!]));
      const section =
        bench.name === 'tell' ? tellSection(runs)
        : bench.name === 'durability' ? durabilitySection(runs)
        : bench.name === 'filters' ? filtersSection(runs)
        : bench.name === 'ask' ? askSection(runs)
        : bench.name === 'spawn' ? spawnSection(runs)
        : bench.name === 'cli' ? cliSection(runs)
        : bench.name === 'restart' ? restartSection(passes)
        : bench.name === 'rollout' ? rolloutSection(passes)
        : bench.name === 'delivery' ? deliverySection(passes)
        : bench.name === 'failover' ? failoverSection(passes)
        : bench.name === 'devices' ? devicesSection(passes)
        : bench.name === 'bridge' ? bridgeSection(passes)
        : catchupSection(passes);
      section.notes.push(`Run ${new Date().toISOString()} on commit ${codeVersion()}; load average (1, 5, 15 min) before this benchmark ${loadBefore}, after it ${loadavg()}.`);
      const profiled = new Set<string>();
      for (const g of section.goals) {
        if (g.met || !g.profile || !profileMisses || profiled.has(g.profile.variant)) continue;
        profiled.add(g.profile.variant);
        process.stdout.write(`${bench.name} ${g.profile.variant} (profiling) ... `);
        section.notes.push(await profileChild(server, g.profile.file, g.profile.variant, g.profile.baseline));
        console.log('done');
      }
      sections.push(section);
      console.log(`\n${section.title}\n${textTable(section.header, section.rows.map((r) => r.map((c) => c.replace(/`/g, ''))))}`);
      for (const g of section.goals) console.log(`  ${g.met ? 'MET   ' : 'MISSED'} ${g.text.replace(/`/g, '')}`);
      console.log();
    }
  } finally {
    await server.cleanup();
    for (const s of syncServers.values()) await s.cleanup();
  }
  info['Load average at end'] = loadavg();
  const path = join(here, 'RESULTS.md');
  if (only) {
    // Only the sections run are replaced (or appended); the machine table stays the full run's.
    const existing = await readFile(path, 'utf8').catch(() => undefined);
    await writeFile(path, existing ? mergeSections(existing, sections) : render(info, sections));
    console.log(`updated ${path} (sections: ${sections.map((s) => s.title).join(', ')})`);
  } else {
    await writeFile(path, render(info, sections));
    console.log(`wrote ${path}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
