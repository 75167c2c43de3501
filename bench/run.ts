// `npm run bench`: starts one nats-server, runs every benchmark variant (Cairn and its raw
// baseline) as a fresh `node --expose-gc` child process against it, prints the figures and writes
// bench/RESULTS.md. When a goal is missed, the Cairn variant is run again under --cpu-prof and the
// profile is summarised in RESULTS.md.
//   npm run bench                      everything
//   npm run bench -- --only tell,ask   some benchmarks
//   npm run bench -- --no-profile      skip the profiling re-runs
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { findNatsServer, natsServerVersion } from '../deploy/nats-server/index.ts';
import { startTestServer } from '../test/helpers/nats.ts';
import type { TestServer } from '../test/helpers/nats.ts';
import { compareProfiles, describeProfile, summarizeProfile } from './profile.ts';
import { fmtBytes, fmtInt, fmtMs, fmtRatio, mdTable, textTable } from './stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const args = process.argv.slice(2);
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1]!.split(',')) : undefined;
const profileMisses = !args.includes('--no-profile');

type Result = Record<string, unknown> & { variant: string; cpuMs: number };
interface Run {
  readonly result: Result;
  readonly wallMs: number;
  /** CPU time nats-server used while this child ran. */
  readonly serverCpuMs: number;
}

const BENCHES = [
  // Tell runs PASSES interleaved passes over its variants, one measured round per process and pass,
  // so that a change in what else runs on the machine hits every variant alike.
  { name: 'tell', file: 'tell.ts', passes: 3, variants: ['raw', 'raw-msgid', 'cairn-1', 'cairn-100', 'raw-nat', 'cairn-1-nat', 'cairn-100-nat'] },
  { name: 'ask', file: 'ask.ts', passes: 1, variants: ['raw-core', 'raw-js', 'cairn', 'cairn-nat'] },
  { name: 'spawn', file: 'spawn.ts', passes: 1, variants: ['map', 'cairn-seq', 'cairn-conc'] },
] as const;

/** Merges the passes of one tell variant: all rounds, medians over them. */
function mergeTell(runs: Run[]): Run {
  const rounds = runs.flatMap((r) => r.result.rounds as { n: number; ms: number; publishMs: number; msgsPerSec: number }[]);
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

const CLK_TCK = 100;
async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // utime + stime
}

async function runChild(server: TestServer, file: string, variant: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const cpu0 = await processCpuMs(server.pid);
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, file)], {
    cwd: root,
    env: { ...process.env, BENCH_NATS_URL: server.url, BENCH_VARIANT: variant, CAIRN_LOG_LEVEL: 'error', ...extraEnv },
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
  const serverCpuMs = (await processCpuMs(server.pid)) - cpu0;
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
    'NATS client': '@nats-io/transport-node + @nats-io/jetstream 3.4',
    'Load average at start': os.loadavg().map((l) => l.toFixed(2)).join(', '),
    Date: new Date().toISOString(),
  };
}

// ---- report ------------------------------------------------------------------------------------

interface Section {
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
  const rows = [...runs.values()].map((r) => {
    const rounds = r.result.rounds as { msgsPerSec: number }[];
    return [
      `\`${r.result.variant}\``,
      fmtInt(r.result.msgsPerSec as number),
      rounds.map((x) => fmtInt(x.msgsPerSec)).join(' / '),
      fmtInt(r.result.publishPerSec as number),
      fmtRatio((r.result.msgsPerSec as number) / raw),
      pctOfCore(r),
    ];
  });
  const goal = (v: string) => {
    const ratio = (runs.get(v)!.result.msgsPerSec as number) / raw;
    return { text: `\`${v}\`: ${fmtRatio(ratio)} of raw (goal ≥ 0.80×)`, met: ratio >= 0.8, profile: { file: 'tell.ts', variant: v, baseline: 'raw' } };
  };
  const n = runs.get('raw')!.result.n as number;
  return {
    title: 'Tell throughput',
    intro: `${fmtInt(n)} messages of ~71 bytes (msgpack), sent in windows of 1,000 un-awaited sends; time from the first send to the last message handled (raw: acked by the consumer). Each variant runs in 3 interleaved passes (raw, raw-msgid, cairn-1, ... then again), each a fresh process doing a 2,000-message warm-up round and one measured round on fresh streams; the figure is the median of the 3 measured rounds. \`raw\`: WorkQueue stream, durable pull consumer (same max_ack_pending 1024 and batch 512 as Cairn's), \`consume()\` + \`ack()\`. \`raw-msgid\` adds a Nats-Msg-Id header per publish, as Cairn's tell does (server-side de-duplication). \`cairn-1\`: one actor; \`cairn-100\`: 100 actors, sends round-robin. What-ifs, not goals: \`raw-nat\`, \`cairn-1-nat\` and \`cairn-100-nat\` are \`raw\`, \`cairn-1\` and \`cairn-100\` on a connection made with \`noAsyncTraces: true\` (Cairn given it through \`NodeOptions.connection\`), the kernel change the profile below points to. "publish-acked" is the rate at which the sends themselves completed. CPU: this process / nats-server, as a share of one core over the run.`,
    header: ['variant', 'msgs/s (median)', 'rounds', 'publish-acked msgs/s', 'ratio to raw', 'CPU client / server'],
    rows,
    goals: [goal('cairn-1'), goal('cairn-100')],
    notes: ['cairn-1-nat', 'cairn-100-nat']
      .filter((v) => runs.has(v))
      .map((v) => {
        const x = runs.get(v)!.result.msgsPerSec as number;
        return `What-if (not a goal): \`${v}\` (\`noAsyncTraces: true\` on the node's connection) reaches ${fmtInt(x)} msgs/s = ${fmtRatio(x / raw)} of the default \`raw\` baseline${runs.has('raw-nat') ? ` and ${fmtRatio(x / (runs.get('raw-nat')!.result.msgsPerSec as number))} of \`raw-nat\` (the baseline given the same option)` : ''}.`;
      }),
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
    intro: `${fmtInt(rawJs.n as number)} sequential round trips after ${rawJs.warmup as number} warm-up ones. \`raw-core\`: \`nc.request\` to a core subscriber. \`raw-js\`: publish to a WorkQueue stream (awaiting the publish ack, as an ask does), a durable pull consumer receives, acks and core-publishes the reply to the requester's inbox. \`cairn\`: \`ref.ask\` to one actor that returns a number. What-if, not a goal: \`cairn-nat\` is \`cairn\` with the node on a connection made with \`noAsyncTraces: true\`.`,
    header: ['variant', 'p50', 'p90', 'p99', 'max', 'p50 ratio to raw-js', 'p99 ratio to raw-js'],
    rows,
    notes: runs.has('cairn-nat')
      ? [`What-if (not a goal): with \`noAsyncTraces: true\` on the node's connection, ask p50 is ${fmtMs(runs.get('cairn-nat')!.result.p50 as number)} = ${fmtRatio((runs.get('cairn-nat')!.result.p50 as number) / (rawJs.p50 as number))} of \`raw-js\`.`]
      : [],
    goals: [{ text: `\`cairn\` p50 ${fmtMs(c.p50 as number)} = ${fmtRatio(ratio)} of raw-js (goal ≤ 1.50×); p99 ${fmtRatio((c.p99 as number) / (rawJs.p99 as number))}`, met: ratio <= 1.5, profile: { file: 'ask.ts', variant: 'cairn', baseline: 'raw-js' } }],
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
    notes: [],
  };
}

function render(info: Record<string, string>, sections: Section[]): string {
  const out = ['# Cairn benchmarks', '', 'Written by `npm run bench` (bench/run.ts). Every figure below comes from one run on this machine, Cairn and its raw baseline against the same nats-server process with the same client library and payload. The machine is shared: the load averages below show what else ran, and the per-round figures show the spread from run to run, so read ratios as approximate.', ''];
  out.push(mdTable(['machine', ''], Object.entries(info).map(([k, v]) => [k, v])), '');
  for (const s of sections) {
    out.push(`## ${s.title}`, '', s.intro, '', mdTable(s.header, s.rows), '', '**Goals**', '');
    for (const g of s.goals) out.push(`- ${g.met ? '✅ met' : '❌ missed'} — ${g.text}`);
    for (const n of s.notes) out.push('', n);
    out.push('');
  }
  return out.join('\n');
}

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const info = await machine();
  const server = await startTestServer();
  console.log(`nats-server ${info['nats-server']} at ${server.url}; ${info.CPU}, ${info.Cores} cores, load ${info['Load average at start']}`);
  const sections: Section[] = [];
  try {
    for (const bench of BENCHES) {
      if (only && !only.has(bench.name)) continue;
      const passes = new Map<string, Run[]>();
      for (let pass = 1; pass <= bench.passes; pass++) {
        for (const variant of bench.variants) {
          process.stdout.write(`${bench.name} ${variant}${bench.passes > 1 ? ` (pass ${pass}/${bench.passes})` : ''} ... `);
          const run = await runChild(server, bench.file, variant, bench.passes > 1 ? { BENCH_ROUNDS: '1' } : {});
          passes.set(variant, [...(passes.get(variant) ?? []), run]);
          console.log(`done in ${(run.wallMs / 1000).toFixed(1)} s`);
        }
      }
      const runs = new Map([...passes].map(([v, rs]) => [v, rs.length > 1 ? mergeTell(rs) : rs[0]!]));
      const section = bench.name === 'tell' ? tellSection(runs) : bench.name === 'ask' ? askSection(runs) : spawnSection(runs);
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
  }
  info['Load average at end'] = os.loadavg().map((l) => l.toFixed(2)).join(', ');
  const path = join(here, 'RESULTS.md');
  if (only) console.log('(--only given: bench/RESULTS.md not written)');
  else {
    await writeFile(path, render(info, sections));
    console.log(`wrote ${path}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
