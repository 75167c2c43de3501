import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCairnError } from '../../protocols/errors/cairn-error.ts';
import { DeployCodes } from '../../protocols/errors/deploy-codes.ts';
import { freePort, startNatsServer } from '../../deploy/nats-server/index.ts';
import type { NatsServerConfig, NatsServerExit, RunningNatsServer } from '../../deploy/nats-server/index.ts';

/** Options for a throwaway nats-server on random loopback ports. */
export interface TestServerOptions {
  /** Turn JetStream on, with store_dir inside the temp dir. @default true */
  jetstream?: boolean;
  /** JetStream domain. @default none */
  domain?: string;
  /** server_name. @default "test-<port>" */
  serverName?: string;
  /** Merged over the generated config (top-level keys replace; jetstream is merged one level). */
  extra?: Partial<NatsServerConfig>;
  /** Receives the server's log lines. */
  onLog?: (line: string) => void;
  /** The nats-server binary. @default findNatsServer() */
  binary?: string;
}

/** A RunningNatsServer in a temp dir; its fields follow the current process across restart(). */
export interface TestServer extends RunningNatsServer {
  /** Temp dir holding the config file and the JetStream store. */
  readonly dir: string;
  /** JetStream store_dir (inside dir), or undefined without JetStream. */
  readonly storeDir: string | undefined;
  /** Stops the server if it runs (SIGTERM), then starts it again on the same port and store. */
  restart(): Promise<void>;
  /** Stops the server and removes the temp dir. Safe to call twice. */
  cleanup(): Promise<void>;
}

const PORT_ATTEMPTS = 5;

/**
 * Starts nats-server for a test: a fresh temp dir, a free loopback port, JetStream on by default.
 * Always pair with cleanup() (e.g. in afterEach/afterAll).
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-nats-'));
  const storeDir = opts.jetstream === false ? undefined : join(dir, 'store');
  const configFor = (port: number): NatsServerConfig => {
    const base: NatsServerConfig = {
      server_name: opts.serverName ?? `test-${port}`,
      host: '127.0.0.1',
      port,
      ...(storeDir === undefined
        ? {}
        : { jetstream: { ...(opts.domain === undefined ? {} : { domain: opts.domain }), store_dir: storeDir } }),
    };
    const extra = opts.extra ?? {};
    return {
      ...base,
      ...extra,
      ...(base.jetstream !== undefined && extra.jetstream !== undefined
        ? { jetstream: { ...base.jetstream, ...extra.jetstream } }
        : {}),
    };
  };
  const launch = (config: NatsServerConfig): Promise<RunningNatsServer> =>
    startNatsServer({
      config,
      dir,
      ...(opts.binary === undefined ? {} : { binary: opts.binary }),
      ...(opts.onLog === undefined ? {} : { onLog: opts.onLog }),
    });

  let current: RunningNatsServer | undefined;
  try {
    // freePort() can race with another process grabbing the port before nats-server binds it.
    for (let attempt = 1; current === undefined; attempt++) {
      try {
        current = await launch(configFor(opts.extra?.port ?? (await freePort())));
      } catch (err) {
        if (!isCairnError(err, DeployCodes.NATS_SERVER_PORT_IN_USE) || attempt >= PORT_ATTEMPTS || opts.extra?.port !== undefined) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  let server: RunningNatsServer = current;
  let cleaned = false;
  return {
    dir,
    storeDir,
    get url() {
      return server.url;
    },
    get clientPort() {
      return server.clientPort;
    },
    get pid() {
      return server.pid;
    },
    get configPath() {
      return server.configPath;
    },
    get config() {
      return server.config;
    },
    get exited(): Promise<NatsServerExit> {
      return server.exited;
    },
    stop: () => server.stop(),
    kill: (signal?: NodeJS.Signals) => server.kill(signal),
    logTail: () => server.logTail(),
    async restart() {
      await server.stop();
      server = await launch(server.config);
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
