import { mkdtemp, rm } from 'node:fs/promises';
import { afterEach } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { cloudSiteConfig, edgeSiteConfig, freePorts, startNatsServer } from '../../deploy/nats-server/index.ts';
import type { NatsServerConfig, RunningNatsServer } from '../../deploy/nats-server/index.ts';
import { startTcpProxy } from './tcp-proxy.ts';
import type { TcpProxy } from './tcp-proxy.ts';

/** One site's server, restartable on the same ports and store. */
export interface SiteServer {
  readonly name: string;
  readonly url: string;
  readonly config: NatsServerConfig;
  server: RunningNatsServer;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
  /** Starts it again (after kill or stop) with the same config. */
  start(): Promise<void>;
}

export interface Topology {
  readonly cloud: SiteServer;
  readonly edges: Record<string, SiteServer>;
  /** The proxy on each edge's leaf link to the cloud: freeze() cuts it silently. */
  readonly links: Record<string, TcpProxy>;
  /** Resolves once a client of `via` reaches the JetStream domain `domain` (the link is up). */
  waitForLink(via: SiteServer, domain: string, timeoutMs?: number): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * A cloud site and edge sites on loopback, as `cairn site init` would generate them: the cloud is
 * domain "cloud" with a leaf listener; each edge is its own domain, a leaf of the cloud through a
 * TCP proxy that tests can freeze to cut the link (and slow down: `linkBytesPerSecond`).
 */
export async function startTopology(edgeNames: readonly string[], opts: { readonly linkBytesPerSecond?: number } = {}): Promise<Topology> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-topo-'));
  const [cloudPort, leafPort, ...edgePorts] = await freePorts(2 + edgeNames.length);
  const sites: SiteServer[] = [];
  const links: Record<string, TcpProxy> = {};

  const site = async (name: string, config: NatsServerConfig): Promise<SiteServer> => {
    const siteDir = join(dir, name);
    const launch = () => startNatsServer({ config, dir: siteDir });
    const s: SiteServer = {
      name,
      url: `nats://127.0.0.1:${config.port}`,
      config,
      server: await launch(),
      async kill() {
        s.server.kill('SIGKILL');
        await s.server.exited;
      },
      async start() {
        s.server = await launch();
      },
    };
    sites.push(s);
    return s;
  };

  // A leaf whose link dies re-dials the leaf addresses the hub gossiped, around its proxy; the
  // generated hub config gossips none (no_advertise, as it does without `advertise`), so a cut
  // stays a cut (checked on nats-server 2.15.2; on 2.9.10 no_advertise did not stop the gossip, nor on 2.14).
  const cloud = await site('cloud', cloudSiteConfig({ host: '127.0.0.1', port: cloudPort!, storeDir: join(dir, 'cloud', 'js'), leafnodes: { host: '127.0.0.1', port: leafPort! } }));
  const edges: Record<string, SiteServer> = {};
  for (const [i, name] of edgeNames.entries()) {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: leafPort! }, opts.linkBytesPerSecond === undefined ? {} : { bytesPerSecond: opts.linkBytesPerSecond });
    links[name] = proxy;
    edges[name] = await site(
      name,
      edgeSiteConfig({ name, host: '127.0.0.1', port: edgePorts[i]!, storeDir: join(dir, name, 'js'), cloud: { urls: [`nats-leaf://127.0.0.1:${proxy.port}`] }, pingInterval: '1s', pingMax: 2 }),
    );
  }

  const clients: NatsConnection[] = [];
  const topology: Topology = {
    cloud,
    edges,
    links,
    async waitForLink(via, domain, timeoutMs = 20_000) {
      const nc = await connect({ servers: via.url, maxReconnectAttempts: -1 });
      clients.push(nc);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          const jsm = await jetstreamManager(nc, { domain, timeout: 1_000 });
          await jsm.getAccountInfo();
          return;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`domain ${domain} not reachable from ${via.name} within ${timeoutMs} ms: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    async cleanup() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await Promise.all(sites.map((s) => s.server.stop().catch(() => undefined)));
      await Promise.all(Object.values(links).map((p) => p.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  for (const name of edgeNames) {
    await topology.waitForLink(cloud, name);
    await topology.waitForLink(edges[name]!, 'cloud');
  }
  return topology;
}

/** What a test file gets from topologyPerTest. */
export interface TopologyPerTest {
  /** Starts this test's cloud and edges (see startTopology). */
  start(edgeNames: readonly string[]): Promise<Topology>;
  /** Registers actor systems of this test: shut down after it, before its topology goes. */
  keep(...systems: readonly { shutdown(): Promise<unknown> }[]): void;
}

/**
 * For a test file whose tests each start their own sites: after each test, the actor systems it
 * kept are shut down and its topology is removed.
 */
export function topologyPerTest(): TopologyPerTest {
  let current: Topology | undefined;
  const kept: { shutdown(): Promise<unknown> }[] = [];
  afterEach(async () => {
    await Promise.all(kept.splice(0).map((s) => s.shutdown().catch(() => undefined)));
    await current?.cleanup();
    current = undefined;
  });
  return {
    async start(edgeNames) {
      current = await startTopology(edgeNames);
      return current;
    },
    keep(...systems) {
      kept.push(...systems);
    },
  };
}
