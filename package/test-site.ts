import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedConfig, freePort, startNatsServer } from '../deploy/nats-server/index.ts';
import type { RunningNatsServer } from '../deploy/nats-server/index.ts';

export interface TestSiteOptions {
  /** The nats-server binary. @default findNatsServer() */
  readonly binary?: string;
  /** JetStream domain. @default none */
  readonly domain?: string;
}

/** A throwaway site: nats-server with JetStream on 127.0.0.1, in a temporary directory. */
export interface TestSite {
  /** nats://127.0.0.1:<port> */
  readonly url: string;
  readonly server: RunningNatsServer;
  /** Stops the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a nats-server for a test: a free loopback port, JetStream in a fresh temporary directory
 * (sync_interval 1s: tests do not need fsync on every write). Pair it with `stop()`.
 *
 * ```ts
 * const site = await startTestSite();
 * const system = await createActorSystem({ servers: site.url });
 * // …
 * await system.shutdown();
 * await site.stop();
 * ```
 */
export async function startTestSite(opts: TestSiteOptions = {}): Promise<TestSite> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-test-site-'));
  let server: RunningNatsServer | undefined;
  for (let attempt = 1; server === undefined; attempt++) {
    const port = await freePort();
    try {
      server = await startNatsServer({
        config: embeddedConfig({ port, storeDir: join(dir, 'jetstream'), syncInterval: '1s', ...(opts.domain === undefined ? {} : { domain: opts.domain }) }),
        dir,
        ...(opts.binary === undefined ? {} : { binary: opts.binary }),
      });
    } catch (err) {
      // Another process may take the free port before the server binds it.
      if (attempt >= 5 || (err as { code?: string }).code !== 'CAIRN_NATS_SERVER_PORT_IN_USE') {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
  const running = server;
  let stopped = false;
  return {
    url: running.url,
    server: running,
    async stop() {
      if (stopped) return;
      stopped = true;
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
