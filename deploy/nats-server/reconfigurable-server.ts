import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { CairnError, DeployCodes } from '../../protocols/index.ts';
import { locateNatsServer } from './find-nats-server.ts';
import { renderNatsServerConfig } from './nats-server-config.ts';
import type { NatsServerConfig } from './nats-server-config.ts';
import { reconfiguration } from './device-access-config.ts';
import { startNatsServer } from './nats-server-process.ts';
import type { NatsServerExit, RunningNatsServer, StartNatsServerOptions } from './nats-server-process.ts';

const run = promisify(execFile);
const RELOADED = 'Reloaded server configuration';
const RELOAD_FAILED = 'Failed to reload server configuration';
const RELOAD_TIMEOUT_MS = 10_000;

/** A site's nats-server whose configuration can change while it runs. */
export interface ReconfigurableServer extends RunningNatsServer {
  /**
   * Makes the server run `next`: nothing when it already does; a reload (SIGHUP) when only its
   * users changed; a restart on the same port and store otherwise (clients reconnect). `next` is
   * checked with `nats-server -t` first; a refused config, failed reload or failed restart leaves
   * (or brings back) the previous configuration and throws CAIRN_DEVICE_ACCESS_NOT_APPLIED.
   */
  reconfigure(next: NatsServerConfig): Promise<'none' | 'reload' | 'restart'>;
  /** Receives every log line of whichever process currently runs. Returns an unsubscribe. */
  onLog(listener: (line: string) => void): () => void;
}

/**
 * startNatsServer, with a handle that stays the same across restarts: `pid`, `config` and
 * `logTail` follow the current process, and `exited` resolves only when a process ends that was
 * not restarted on purpose (nor stopped).
 */
export async function startReconfigurableServer(opts: StartNatsServerOptions): Promise<ReconfigurableServer> {
  const listeners = new Set<(line: string) => void>();
  const onLog = (line: string): void => {
    opts.onLog?.(line);
    for (const l of listeners) l(line);
  };
  const binary = (await locateNatsServer(opts.binary === undefined ? {} : { path: opts.binary })).path;
  const launch = (config: NatsServerConfig): Promise<RunningNatsServer> => startNatsServer({ ...opts, binary, config, onLog });
  let current = await launch(opts.config);
  let resolveExited!: (exit: NatsServerExit) => void;
  const exited = new Promise<NatsServerExit>((r) => (resolveExited = r));
  let replacing = false;
  let stopped = false;
  const watch = (server: RunningNatsServer): void => {
    void server.exited.then((exit) => {
      if (server === current && !replacing) resolveExited(exit);
    });
  };
  watch(current);

  const check = async (config: NatsServerConfig): Promise<void> => {
    const path = `${current.configPath}.next`;
    await writeFile(path, renderNatsServerConfig(config));
    try {
      await run(binary, ['-t', '-c', path], { timeout: 10_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new CairnError(DeployCodes.DEVICE_ACCESS_NOT_APPLIED, `nats-server refused the new configuration (${path}): ${(e.stderr ?? e.message).trim()}`, { cause: err, details: { configPath: path } });
    } finally {
      await rm(path, { force: true });
    }
  };

  const reload = async (config: NatsServerConfig): Promise<void> => {
    const previous = current.config;
    await writeFile(current.configPath, renderNatsServerConfig(config));
    let off: () => void = () => undefined;
    const outcome = new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve('no answer within 10 s'), RELOAD_TIMEOUT_MS);
      const listener = (line: string): void => {
        if (line.includes(RELOADED)) resolve(undefined);
        else if (line.includes(RELOAD_FAILED)) resolve(line.slice(line.indexOf(RELOAD_FAILED)));
        else return;
        clearTimeout(timer);
      };
      listeners.add(listener);
      off = () => listeners.delete(listener);
    });
    process.kill(current.pid, 'SIGHUP');
    const failure = await outcome.finally(off);
    if (failure !== undefined) {
      await writeFile(current.configPath, renderNatsServerConfig(previous));
      throw new CairnError(DeployCodes.DEVICE_ACCESS_NOT_APPLIED, `nats-server did not reload its configuration: ${failure}`, { details: { configPath: current.configPath } });
    }
    (current as { config: NatsServerConfig }).config = config;
  };

  const restart = async (config: NatsServerConfig): Promise<void> => {
    const previous = current.config;
    replacing = true;
    try {
      await current.stop();
      try {
        current = await launch(config);
      } catch (err) {
        current = await launch(previous);
        throw new CairnError(DeployCodes.DEVICE_ACCESS_NOT_APPLIED, `nats-server did not start with the new configuration, and runs the previous one again: ${(err as Error).message}`, { cause: err });
      }
    } finally {
      replacing = false;
      watch(current);
    }
  };

  let queue: Promise<unknown> = Promise.resolve();
  const handle: ReconfigurableServer = {
    get url() {
      return current.url;
    },
    get clientPort() {
      return current.clientPort;
    },
    get pid() {
      return current.pid;
    },
    get configPath() {
      return current.configPath;
    },
    get config() {
      return current.config;
    },
    get stoppedEarlier() {
      return current.stoppedEarlier;
    },
    exited,
    stop: async () => {
      stopped = true;
      await queue.catch(() => undefined);
      await current.stop();
    },
    kill: (signal) => current.kill(signal),
    logTail: () => current.logTail(),
    onLog(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reconfigure(next) {
      // One change at a time, in the order asked.
      const step = queue.catch(() => undefined).then(async () => {
        if (stopped) return 'none' as const;
        const how = reconfiguration(current.config, next);
        if (how === 'none') return how;
        await check(next);
        await (how === 'reload' ? reload(next) : restart(next));
        return how;
      });
      queue = step;
      return step;
    },
  };
  return handle;
}
