// How long a `cairn ps` takes against a running site, as an operator types it (issue goal: ≤ 0.5 s).
// The process runs a site (one node, ACTORS inline actors) on bench/run.ts's server, then times
// ROUNDS invocations of a command, each a fresh child process, after one warm-up (the OS file cache).
// Variants (BENCH_VARIANT):
//   raw-node   the floor of any Node CLI that asks NATS one thing: `node` running a plain .mjs
//              that imports the NATS client, connects, makes one JetStream API request
//              ($JS.API.INFO) and exits.
//   cairn-ps   `node bin/cairn.mjs ps --server <url> --site <site>`: the installed command, compiled
//              JavaScript (npm run build), reading the site's node registry and actors.
// Each invocation runs under `bash -c '…; times'`, whose second line is the CPU its children used.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createActorSystem } from '../supervisor-trees/index.ts';
import { defineActor } from '../kernel/index.ts';
import { benchInput, emit } from './harness.ts';

const input = benchInput();
const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 20);
const ACTORS = 10;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The floor: a plain ES module using only the NATS client, as the installed package would. */
const RAW_SCRIPT = `import { connect } from '@nats-io/transport-node';
const nc = await connect({ servers: process.argv[2] });
const info = await nc.request('$JS.API.INFO', new Uint8Array(0), { timeout: 5000 });
process.stdout.write(String(JSON.parse(new TextDecoder().decode(info.data)).streams) + '\\n');
await nc.close();
`;

/** Runs `argv` under bash, returns wall time (ms) and the children's CPU (user + system, ms). */
function timed(argv: readonly string[], cwd: string, outFile: string): Promise<{ wallMs: number; cpuMs: number }> {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('bash', ['-c', `${quoted} > "$OUT" 2>&1 || { cat "$OUT" >&2; exit 1; }; times`], { cwd, env: { ...process.env, OUT: outFile } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${argv.join(' ')} failed (${code}): ${stderr}`));
      // `times`: shell user/sys, then children user/sys, as "0m0.101s 0m0.012s".
      const children = stdout.trim().split('\n').at(-1) ?? '';
      const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      resolve({ wallMs, cpuMs: (secs[0]! + secs[1]!) * 1000 });
    });
    child.on('error', reject);
  });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  const site = `${input.tag}-cli`;
  const sys = await createActorSystem({ servers: input.url, site, node: `${site}-n1` });
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-cli-'));
  try {
    const Idle = defineActor<{ type: 'noop' }>({ name: 'idle', receive: () => undefined });
    for (let i = 0; i < ACTORS; i++) await sys.spawn(Idle, { id: `idle-${i}` });
    let argv: string[];
    let cwd = ROOT;
    if (input.variant === 'raw-node') {
      // Inside the project, so that the import resolves to the same installed client.
      const script = join(ROOT, 'node_modules', `.cairn-bench-cli-${process.pid}.mjs`);
      await writeFile(script, RAW_SCRIPT);
      argv = ['node', script, input.url];
    } else if (input.variant === 'cairn-ps') {
      argv = ['node', join(ROOT, 'bin', 'cairn.mjs'), 'ps', '--server', input.url, '--site', site];
      cwd = dir;
    } else throw new Error(`unknown variant ${input.variant}`);
    const outFile = join(dir, 'out.txt');
    const first = await timed(argv, cwd, outFile);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await timed(argv, cwd, outFile);
      wall.push(r.wallMs);
      cpu.push(r.cpuMs);
    }
    if (input.variant === 'raw-node') await rm(argv[1]!, { force: true });
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    emit({ bench: 'cli', variant: input.variant, rounds: ROUNDS, actors: ACTORS, firstMs: first.wallMs, p50: quantile(wall, 0.5), p90: quantile(wall, 0.9), max: wall.at(-1), cpuP50: quantile(cpu, 0.5) });
  } finally {
    await sys.shutdown();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
