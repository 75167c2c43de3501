// What every benchmark child process shares: its inputs (env), the message it sends, and how it
// hands its result back to bench/run.ts (one `BENCH_RESULT <json>` line on stdout).
import { encodeValue } from '../protocols/index.ts';

export interface BenchInput {
  /** nats://127.0.0.1:<port> of the server bench/run.ts started. */
  readonly url: string;
  /** Which variant this process measures (raw baseline or a Cairn variant). */
  readonly variant: string;
  /** A prefix unique to this process, for stream and site names. */
  readonly tag: string;
}

export function benchInput(): BenchInput {
  const url = process.env.BENCH_NATS_URL;
  const variant = process.env.BENCH_VARIANT;
  if (!url || !variant) throw new Error('run through bench/run.ts (BENCH_NATS_URL and BENCH_VARIANT are not set)');
  return { url, variant, tag: `b${process.pid}` };
}

/** One measured round of the tell benchmark (bench/tell.ts), as bench/run.ts reads it back. */
export interface TellRound {
  readonly n: number;
  /** First publish to last message handled. */
  readonly ms: number;
  /** First publish to last publish acked by JetStream. */
  readonly publishMs: number;
  readonly msgsPerSec: number;
  /** CPU the client side used from first send to last handled (this process; for nats-bench the two CLI processes, whole runs). */
  readonly clientCpuMs: number;
  /** CPU nats-server used over the same span (when bench/run.ts passed its pid). */
  readonly serverCpuMs?: number;
}

/** The message both sides send: a sensor reading, ~71 bytes of msgpack on its own. */
export interface Reading {
  readonly type: 'reading';
  readonly sensor: string;
  readonly seq: number;
  readonly value: number;
  readonly unit: string;
  readonly ts: number;
}

const BASE_TS = 1_760_000_000_000;

export function reading(seq: number): Reading {
  return { type: 'reading', sensor: 'temp-0042', seq, value: 21.5 + (seq % 7), unit: 'C', ts: BASE_TS + seq };
}

/** The raw baselines' payload: the same message, msgpack-encoded with Cairn's settings. */
export function rawPayload(seq: number): Uint8Array {
  return encodeValue(reading(seq));
}

/** Prints the result for bench/run.ts, with this process's CPU time (user + system, ms). */
export function emit(result: object): void {
  const cpu = process.cpuUsage();
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ ...result, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
}

const CLK_TCK = 100;

/** CPU time (user + system, ms) another process has used so far, from /proc. */
export async function cpuMsOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // utime + stime
}

/** This process's CPU time so far (user + system, ms). */
export function ownCpuMs(): number {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000;
}

/**
 * Measures the CPU a span of work costs: this process's, and the nats-server's when bench/run.ts
 * passed its pid (BENCH_SERVER_PID).
 */
export async function cpuSpan<T>(work: () => Promise<T>): Promise<{ value: T; clientCpuMs: number; serverCpuMs: number | undefined }> {
  const serverPid = Number(process.env.BENCH_SERVER_PID ?? 0) || undefined;
  const s0 = serverPid === undefined ? undefined : await cpuMsOf(serverPid);
  const c0 = ownCpuMs();
  const value = await work();
  const clientCpuMs = ownCpuMs() - c0;
  const serverCpuMs = serverPid === undefined || s0 === undefined ? undefined : (await cpuMsOf(serverPid)) - s0;
  return { value, clientCpuMs, serverCpuMs };
}

/** Forces a full GC (the process must run with --expose-gc). */
export async function fullGc(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

/** Deletes the streams and KV buckets a Cairn site created, so rounds do not pile up on the server. */
export async function dropSite(jsm: { streams: { delete(name: string): Promise<boolean> } }, site: string): Promise<void> {
  for (const name of [`CAIRN_MBX_${site}`, `CAIRN_DLQ_${site}`, `KV_cairn_state_${site}`, `KV_cairn_nodes_${site}`]) {
    await jsm.streams.delete(name).catch(() => undefined);
  }
}

/** Rejects after `ms` with a message naming what stalled. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * When bench/run.ts asks for a CPU profile (BENCH_CPU_PROFILE=<file>), profiles only the measured
 * part of a benchmark (not process start-up or module loading) and writes a .cpuprofile there.
 */
export async function profiled<T>(measure: () => Promise<T>): Promise<T> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return measure();
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await measure();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  }
}
