// A light multi-site topology for benchmarks that need many edges on one machine: one cloud
// nats-server and N edge nats-servers (each its own JetStream domain, a leaf of the cloud), on
// random loopback ports, configured with deploy/nats-server's cloudSiteConfig / edgeSiteConfig as
// `cairn site init` would. Unlike test/helpers/topology.ts there is no TCP proxy on the links (no
// bytes copied through this process) and the edges start a few at a time in parallel.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { cloudSiteConfig, edgeSiteConfig, freePorts, startNatsServer } from '../deploy/nats-server/index.ts';
import type { RunningNatsServer } from '../deploy/nats-server/index.ts';

export const CLOUD_DOMAIN = 'cloud';

/** JetStream limits per server: small, so 26 servers on one machine reserve little. */
export const MAX_MEMORY_STORE = 32 * 1024 * 1024;
export const MAX_FILE_STORE = 512 * 1024 * 1024;
/** Servers started (or links checked) at the same time: enough to be quick, few enough for 2 cores. */
const PARALLEL = 5;

export interface LeafSite {
  readonly name: string;
  readonly url: string;
  readonly server: RunningNatsServer;
}

export interface LeafSites {
  readonly cloud: LeafSite;
  readonly edges: readonly LeafSite[];
  /** Every server's pid, cloud first. */
  pids(): number[];
  stop(): Promise<void>;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function inBatches<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** `edge1` .. `edgeN`. */
export function edgeNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `edge${i + 1}`);
}

/**
 * Starts the cloud, then the edges, then waits until every edge reaches the cloud's JetStream
 * domain through its leaf link. Everything started is stopped again if a step fails.
 */
export async function startLeafSites(n: number, linkTimeoutMs = 30_000): Promise<LeafSites> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-leaf-sites-'));
  const [cloudPort, leafPort, ...edgePorts] = await freePorts(2 + n);
  const started: LeafSite[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((s) => s.server.stop().catch(() => undefined)));
    await rm(dir, { recursive: true, force: true });
  };
  const limits = { maxMemoryStore: MAX_MEMORY_STORE, maxFileStore: MAX_FILE_STORE };
  try {
    const cloudConfig = cloudSiteConfig({ host: '127.0.0.1', port: cloudPort!, storeDir: join(dir, 'cloud', 'js'), leafnodes: { host: '127.0.0.1', port: leafPort! }, ...limits });
    const cloud = await launch('cloud', cloudConfig, dir, started);
    const leafUrl = `nats-leaf://127.0.0.1:${leafPort}`;
    const edges = await inBatches(edgeNames(n), PARALLEL, (name, i) =>
      launch(name, edgeSiteConfig({ name, host: '127.0.0.1', port: edgePorts[i]!, storeDir: join(dir, name, 'js'), cloud: { urls: [leafUrl] }, ...limits }), dir, started),
    );
    await inBatches(edges, PARALLEL, (e) => waitForCloud(e, linkTimeoutMs));
    return { cloud, edges, pids: () => [cloud, ...edges].map((s) => s.server.pid), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function launch(name: string, config: Parameters<typeof startNatsServer>[0]['config'], dir: string, started: LeafSite[]): Promise<LeafSite> {
  const server = await startNatsServer({ config, dir: join(dir, name) });
  const site = { name, url: server.url, server };
  started.push(site);
  return site;
}

/**
 * Resolves once a client of `edge` reaches the cloud's JetStream domain (the leaf link carries
 * JetStream API calls). Polled: nats-server has no event for "the link works" (both sides log the
 * connection before it is usable). Setup only, never inside a measurement.
 */
async function waitForCloud(edge: LeafSite, timeoutMs: number): Promise<void> {
  const nc = await connect({ servers: edge.url });
  try {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      try {
        await (await jetstreamManager(nc, { domain: CLOUD_DOMAIN, timeout: 1_000 })).getAccountInfo();
        return;
      } catch (err) {
        if (performance.now() > deadline) throw new Error(`${edge.name} did not reach domain ${CLOUD_DOMAIN} within ${timeoutMs} ms: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await nc.close();
  }
}

// ---- /proc figures -------------------------------------------------------------------------------

export { cpuMsOf } from './harness.ts';

/** Resident memory of a process, bytes. */
export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}
