import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';
import { locateNatsServer } from './find-nats-server.ts';
import type { NatsServerConfig } from './nats-server-config.ts';
import { renderNatsServerConfig } from './nats-server-config.ts';
import { findSetpriv, guardedCommand, stopEarlierServer } from './server-guard.ts';

/** How to start one nats-server. */
export interface StartNatsServerOptions {
  /** The config; `port` must be a real port (1-65535) so the URL is known up front. */
  config: NatsServerConfig;
  /** Directory the config file is written to (created if missing). */
  dir: string;
  /** The nats-server binary (refused when older than MIN_NATS_SERVER_VERSION). @default findNatsServer() */
  binary?: string;
  /** Aborting kills a server that is starting, and stops a running one. */
  signal?: AbortSignal;
  /** Receives every log line (stderr and stdout) for the whole life of the server. */
  onLog?: (line: string) => void;
  /** How long to wait for "Server is ready". @default 10_000 */
  readyTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. @default 5_000 */
  stopTimeoutMs?: number;
  /** Config file name inside `dir`. @default "nats-server.conf" */
  configFileName?: string;
}

/** How the process ended. */
export interface NatsServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A nats-server that has reported "Server is ready". */
export interface RunningNatsServer {
  /** Client URL, "nats://127.0.0.1:<port>" (a wildcard host is reached through 127.0.0.1). */
  readonly url: string;
  readonly clientPort: number;
  readonly pid: number;
  readonly configPath: string;
  readonly config: NatsServerConfig;
  /** SIGTERM, wait up to stopTimeoutMs, then SIGKILL; resolves once the process has exited. */
  stop(): Promise<void>;
  /** Sends a signal without waiting (SIGKILL simulates a crash). @default "SIGKILL" */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when the process exits, however it ends. */
  readonly exited: Promise<NatsServerExit>;
  /** The last log lines (up to 100). */
  logTail(): string[];
  /** The pid of a server an earlier run had left running on this store, stopped before this one started. */
  readonly stoppedEarlier?: number;
}

const READY_LINE = 'Server is ready';
const TAIL_LINES = 100;
const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::', '[::]']);

// Servers must not outlive the process that started them (a crashed test run would leak them).
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
}

function checkPort(port: number | undefined): number {
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CairnError(
      DeployCodes.INVALID_PORT,
      `startNatsServer needs config.port to be an integer in 1-65535, got ${String(port)}. ` +
        'Pick one with freePort() so the client URL is known before the server starts.',
      { details: { port } },
    );
  }
  return port;
}

function throwIfAborted(signal: AbortSignal | undefined, dir: string): void {
  if (signal?.aborted !== true) return;
  throw new CairnError(
    DeployCodes.NATS_SERVER_START_ABORTED,
    `Start of nats-server in ${dir} was aborted before the process was spawned.`,
    { cause: signal.reason, details: { dir } },
  );
}

/**
 * Writes `config` to `<dir>/<configFileName>`, spawns nats-server on it and resolves once it logs
 * "Server is ready". Rejects (and kills the process) if it exits first, times out or is aborted,
 * with the log tail in the message.
 */
export async function startNatsServer(opts: StartNatsServerOptions): Promise<RunningNatsServer> {
  const { config, dir } = opts;
  const clientPort = checkPort(config.port);
  if (config.logfile !== undefined) {
    throw new CairnError(
      DeployCodes.NATS_SERVER_LOGFILE_UNSUPPORTED,
      `config.logfile is "${config.logfile}", but startNatsServer reads readiness from stderr. ` +
        'Remove logfile and pass onLog to write log lines where you want them.',
      { details: { logfile: config.logfile } },
    );
  }
  throwIfAborted(opts.signal, dir);
  // An explicit binary is version-checked like a found one: too old is refused before it runs.
  const binary = (await locateNatsServer(opts.binary === undefined ? {} : { path: opts.binary })).path;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 5_000;
  await mkdir(dir, { recursive: true });
  const configFileName = opts.configFileName ?? 'nats-server.conf';
  const configPath = join(resolve(dir), configFileName);
  // The server writes its pid here: how the next start finds one an earlier run left behind.
  const pidFile = join(resolve(dir), `${configFileName}.pid`);
  const stoppedEarlier = await stopEarlierServer(pidFile, configPath, stopTimeoutMs, (ms) => sleep(ms));
  if (stoppedEarlier !== undefined) opts.onLog?.(`[cairn] stopped nats-server pid ${stoppedEarlier}, left running on this store by an earlier run, before starting this one`);
  await writeFile(configPath, renderNatsServerConfig(config));
  throwIfAborted(opts.signal, dir);

  const host = WILDCARD_HOSTS.has(config.host ?? '') ? '127.0.0.1' : config.host!;
  const url = `nats://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${clientPort}`;
  const tail: string[] = [];
  // It dies with this process, however this one ends (kill -9 too), where setpriv is available.
  const guarded = guardedCommand(binary, ['-c', configPath, '-P', pidFile], findSetpriv());
  const child = spawn(guarded.command, [...guarded.args], { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);

  let spawnError: Error | undefined;
  // 'close' (not 'exit') so the pipes are drained and the tail holds the last words; a binary
  // that cannot be spawned emits only 'error'.
  const exited = new Promise<NatsServerExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => {
      spawnError = err;
      resolve({ code: null, signal: null });
    });
  }).finally(() => live.delete(child));

  let onReady: (() => void) | undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  // Both pipes are read for the server's whole life: a full pipe would block the server.
  for (const stream of [child.stderr, child.stdout]) {
    createInterface({ input: stream! }).on('line', (line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      opts.onLog?.(line);
      if (line.includes(READY_LINE)) onReady?.();
    });
  }

  const describeTail = (): string => (tail.length === 0 ? '(no output)' : tail.slice(-20).join('\n'));
  const kill = (signal: NodeJS.Signals = 'SIGKILL'): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null || spawnError !== undefined) {
        await exited;
        return;
      }
      kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), stopTimeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) kill('SIGKILL');
      await exited;
    })();
    return stopping;
  };

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  type Outcome = { type: 'ready' } | { type: 'exited'; exit: NatsServerExit } | { type: 'spawn-error'; err: Error } | { type: 'timeout' } | { type: 'aborted' };
  const outcome = await Promise.race<Outcome>([
    ready.then(() => ({ type: 'ready' })),
    exited.then((exit): Outcome => (spawnError === undefined ? { type: 'exited', exit } : { type: 'spawn-error', err: spawnError })),
    new Promise<Outcome>((r) => (timer = setTimeout(() => r({ type: 'timeout' }), readyTimeoutMs))),
    new Promise<Outcome>((r) => {
      onAbort = () => r({ type: 'aborted' });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
    }),
  ]);
  clearTimeout(timer);
  if (onAbort !== undefined) opts.signal?.removeEventListener('abort', onAbort);

  const details = { binary, configPath, clientPort, logTail: [...tail] };
  switch (outcome.type) {
    case 'ready': {
      opts.signal?.addEventListener('abort', () => void stop(), { once: true });
      return {
        url,
        clientPort,
        pid: child.pid!,
        configPath,
        config,
        stop,
        kill,
        exited,
        logTail: () => [...tail],
        ...(stoppedEarlier === undefined ? {} : { stoppedEarlier }),
      };
    }
    case 'spawn-error':
      throw new CairnError(
        DeployCodes.NATS_SERVER_START_FAILED,
        `Could not run "${binary}" (${outcome.err.message}). Check the path, or set NATS_SERVER / install the pinned server with \`npx cairn server install\`.`,
        { cause: outcome.err, details },
      );
    case 'exited': {
      const log = describeTail();
      const inUse = /address already in use/i.test(log);
      throw new CairnError(
        inUse ? DeployCodes.NATS_SERVER_PORT_IN_USE : DeployCodes.NATS_SERVER_START_FAILED,
        inUse
          ? `nats-server (${configPath}) could not listen: a port is already in use. Pick free ports with freePort(). Log:\n${log}`
          : `nats-server (${configPath}) exited with code ${String(outcome.exit.code)}` +
              `${outcome.exit.signal === null ? '' : ` (signal ${outcome.exit.signal})`} before it was ready. ` +
              `Check the config with \`${binary} -t -c ${configPath}\`. Log:\n${log}`,
        { details: { ...details, logTail: [...tail], exit: outcome.exit } },
      );
    }
    case 'timeout':
      kill('SIGKILL');
      await exited;
      throw new CairnError(
        DeployCodes.NATS_SERVER_START_TIMEOUT,
        `nats-server (${configPath}) did not log "${READY_LINE}" within ${readyTimeoutMs} ms and was killed. ` +
          `Raise readyTimeoutMs if the machine is slow. Log:\n${describeTail()}`,
        { details },
      );
    case 'aborted':
      kill('SIGKILL');
      await exited;
      throw new CairnError(
        DeployCodes.NATS_SERVER_START_ABORTED,
        `Start of nats-server (${configPath}) was aborted before it was ready; the process was killed.`,
        { cause: opts.signal?.reason, details },
      );
  }
}
