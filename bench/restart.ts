// Restart latency per runtime mode: an actor is crashed by a message (inline: its handler throws;
// worker, process, container: its guest exits with code 3), an ask queued right behind it is
// answered by the next incarnation. Measured from the 'crashed' event (taken in-process with
// performance.now()) to the ask's reply. Bare baselines start the same thing without Cairn.
// Variants (BENCH_VARIANT):
//   inline, worker, process, container        Cairn, one actor (bench/restart-behaviour.ts)
//   raw-worker     the floor: new Worker() of a minimal plain .mjs (bench/restart-floor.mjs) until
//                  its first message
//   raw-process    the floor: spawn `node` running that minimal script until its first output
//   raw-container  the floor: docker create + attach + start of the guest image (same binds)
//                  running that script with node until its first output
//   bare-process, bare-container (what-ifs, not goals): the Cairn guest command itself (node
//                  running the pre-bundled guest of restart-behaviour.ts Crashy), sent `init`, until `ready`:
//                  the guest's own start-up without the node.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { realpathSync } from 'node:fs';
import Dockerode from 'dockerode';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { containerRuntime, createActorSystem, defaultRuntimes } from '../supervisor-trees/index.ts';
import type { RuntimeSpec } from '../kernel/index.ts';
import { jsProcessSpec } from '../kernel/runtimes/index.ts';
import { containerCreateOptions, ensureBaseImage, jsContainerSpec } from '../kernel/runtimes/container-launcher.ts';
import { FrameDecoder, HOST_PROTOCOL_VERSION, encodeFrame } from '../protocols/index.ts';
import type { NodeFrame } from '../protocols/index.ts';
import { Crashy } from './restart-behaviour.ts';
import { benchInput, dropSite, emit, profiled } from './harness.ts';
import { summarize } from './stats.ts';

const input = benchInput();
const here = dirname(fileURLToPath(import.meta.url));
const BEHAVIOUR = join(here, 'restart-behaviour.ts');
const FLOOR = join(here, 'restart-floor.mjs');
const TIMEOUT_MS = 60_000;

/** Samples per mode (the raw baselines take their mode's count) and warm-up restarts before them. */
const SAMPLES: Record<string, number> = { inline: 200, worker: 30, process: 30, container: 10 };
const WARMUP: Record<string, number> = { inline: 20, worker: 3, process: 3, container: 2 };
const mode = input.variant.replace(/^(raw|bare)-/, '');
const samples = Number(process.env.BENCH_RESTART_SAMPLES ?? SAMPLES[mode] ?? 10);
const warmup = WARMUP[mode] ?? 2;

/** Runs `once` warmup + samples times; returns the measured samples (each a record of ms figures). */
async function sample<T extends Record<string, number>>(one: () => Promise<T>): Promise<T[]> {
  for (let i = 0; i < warmup; i++) await one();
  return profiled(async () => {
    const out: T[] = [];
    for (let i = 0; i < samples; i++) out.push(await one());
    return out;
  });
}

// ---- Cairn ---------------------------------------------------------------------------------------

function runtimeOf(m: string): RuntimeSpec {
  if (m === 'inline') return { mode: 'inline' };
  if (m === 'worker') return { mode: 'worker', module: BEHAVIOUR, export: 'Crashy' };
  if (m === 'process') return jsProcessSpec(BEHAVIOUR, 'Crashy');
  if (m === 'container') return jsContainerSpec(BEHAVIOUR, 'Crashy');
  throw new Error(`unknown mode ${m}`);
}

interface CairnSample extends Record<string, number> {
  /** The figure: 'crashed' event to the ask's reply. */
  ms: number;
  /** 'crashed' event to 'started' event (supervisor + new incarnation). */
  startMs: number;
  /** 'started' event to the ask's reply (the first message of the new incarnation). */
  firstMsgMs: number;
  /** Sending the crash message to the ask's reply (adds the crash itself and its detection). */
  sendMs: number;
}

async function cairn(): Promise<CairnSample[]> {
  const site = `${input.tag}rst`;
  if (mode === 'container') await ensureBaseImage(new Dockerode());
  // The root supervisor must not give up: every sample is a restart.
  const system = await createActorSystem({ runtimes: [...defaultRuntimes(), containerRuntime()], servers: input.url, site, node: 'n1', root: { intensity: 1_000_000, periodMs: 1_000 } });
  try {
    const ref = await system.spawn(Crashy, { id: 'crashy', runtime: runtimeOf(mode) });
    let crashedAt = 0;
    let startedAt = 0;
    system.onEvent((e) => {
      if (e.actor !== 'crashy') return;
      if (e.type === 'crashed') crashedAt = performance.now();
      else if (e.type === 'started') startedAt = performance.now();
    });
    const how = mode === 'inline' ? 'throw' : 'exit';
    if ((await ref.ask({ type: 'ping' }, { timeout: TIMEOUT_MS })) !== 1) throw new Error('first ping');
    return await sample(async () => {
      crashedAt = startedAt = 0;
      const t0 = performance.now();
      const told = ref.tell({ type: 'crash', how });
      const pings = await ref.ask({ type: 'ping' }, { timeout: TIMEOUT_MS });
      const t1 = performance.now();
      await told;
      // 1: the ping was handled by a fresh incarnation (its state starts at 0).
      if (pings !== 1 || !crashedAt || !startedAt) throw new Error(`no restart seen (pings ${pings}, crashed ${crashedAt}, started ${startedAt})`);
      return { ms: t1 - crashedAt, startMs: startedAt - crashedAt, firstMsgMs: t1 - startedAt, sendMs: t1 - t0 };
    });
  } finally {
    await system.shutdown();
    const nc = await connect({ servers: input.url });
    await dropSite(await jetstreamManager(nc), site);
    await nc.close();
  }
}

// ---- baselines -----------------------------------------------------------------------------------

const initFrame: NodeFrame = { t: 'init', v: HOST_PROTOCOL_VERSION, id: 'crashy', site: `${input.tag}rst`, node: 'n1' };

async function rawWorker(): Promise<{ ms: number }[]> {
  return sample(async () => {
    const t0 = performance.now();
    const worker = new Worker(pathToFileURL(FLOOR), { execArgv: [], stdout: true, stderr: true });
    await once(worker, 'message');
    const ms = performance.now() - t0;
    await worker.terminate();
    return { ms };
  });
}

async function rawProcess(): Promise<{ ms: number }[]> {
  return sample(async () => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [FLOOR], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    await once(child.stdout, 'data');
    const ms = performance.now() - t0;
    await exited;
    return { ms };
  });
}

/** The Cairn process guest on its own: spawn, write `init`, wait for the first frame (`ready`). */
async function bareProcess(): Promise<{ ms: number }[]> {
  const spec = jsProcessSpec(BEHAVIOUR, 'Crashy');
  return sample(async () => {
    const t0 = performance.now();
    const child = spawn(spec.command, [...(spec.args ?? [])], { stdio: ['pipe', 'pipe', 'inherit'] });
    const decoder = new FrameDecoder();
    const first = new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => decoder.push(c).length > 0 && resolve()));
    child.stdin.write(encodeFrame(initFrame));
    await first;
    const ms = performance.now() - t0;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    return { ms };
  });
}

/**
 * docker create + attach + start until the first stdout bytes. `guest`: the Cairn guest command
 * (sent `init`, waits for its `ready` frame); otherwise `node -e` printing one line, same image and binds.
 */
async function container(guest: boolean): Promise<{ ms: number; removeMs: number }[]> {
  const docker = new Dockerode();
  await ensureBaseImage(docker);
  const spec = jsContainerSpec(BEHAVIOUR, 'Crashy');
  const node = realpathSync(process.execPath);
  const opts = containerCreateOptions(guest ? spec : { ...spec, cmd: [node, FLOOR] }, { site: `${input.tag}rst`, node: 'n1', actor: 'crashy' });
  return sample(async () => {
    const t0 = performance.now();
    const c = await docker.createContainer(opts);
    const stream = await c.attach({ stream: true, hijack: true, stdin: true, stdout: true, stderr: true });
    const stdout = new PassThrough();
    docker.modem.demuxStream(stream, stdout, process.stderr);
    const decoder = new FrameDecoder();
    const first = new Promise<void>((resolve) => stdout.on('data', (chunk: Buffer) => (!guest || decoder.push(chunk).length > 0) && resolve()));
    await c.start();
    if (guest) stream.write(encodeFrame(initFrame));
    await first;
    const ms = performance.now() - t0;
    const r0 = performance.now();
    (stream as unknown as { destroy(): void }).destroy();
    await c.remove({ force: true, v: true });
    return { ms, removeMs: performance.now() - r0 };
  });
}

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const v = input.variant;
  const out: Record<string, number>[] =
    v === 'raw-worker' ? await rawWorker()
    : v === 'raw-process' ? await rawProcess()
    : v === 'bare-process' ? await bareProcess()
    : v === 'raw-container' ? await container(false)
    : v === 'bare-container' ? await container(true)
    : await cairn();
  const parts: Record<string, unknown> = {};
  for (const key of Object.keys(out[0] ?? {})) if (key !== 'ms') parts[key] = summarize(out.map((s) => s[key] ?? Number.NaN));
  const ms = out.map((s) => s.ms ?? Number.NaN);
  emit({ bench: 'restart', variant: v, mode, warmup, ...summarize(ms), parts, samples: ms });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
