import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { readNodeRegistry } from '../../kernel/index.ts';
import { Buckets, decodeValue, isCairnError } from '../../protocols/index.ts';
import type { Connection } from './connection-options.ts';
import { clockSkews, siteClockSkews } from './doctor-report.ts';
import { formatBytes } from './format-ps.ts';
import type { CheckResult } from './doctor-report.ts';

/** How far a node's clock may be from its server's before doctor warns (heartbeats are 1 s apart). */
export const CLOCK_SKEW_TOLERANCE_MS = 2_000;
/** Free space below which doctor warns about the store's disk. */
export const LOW_DISK_BYTES = 1_073_741_824; // 1 GiB
const REQUEST_TIMEOUT_MS = 2_000;

/** nats-server on this machine: what `cairn up` and `cairn site up` would run. */
export async function checkNatsServer(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  try {
    const { locateNatsServer } = await import('../nats-server/index.ts');
    const found = await locateNatsServer({ env });
    return { name: 'nats-server', status: 'ok', detail: `v${found.version} (${found.path})` };
  } catch (err) {
    // Needed to run a site here, not to talk to one elsewhere.
    return { name: 'nats-server', status: 'warn', detail: isCairnError(err) ? `${err.code}: ${err.message}` : (err as Error).message, fix: 'npx cairn server install (only needed to run a site on this machine)' };
  }
}

/** Connects to the site's server; the connection is for the checks that follow (caller closes it). */
export async function checkSite(connection: Connection): Promise<{ readonly result: CheckResult; readonly nc?: NatsConnection }> {
  try {
    const nc = await connect({ servers: connection.server, timeout: REQUEST_TIMEOUT_MS, maxReconnectAttempts: 0, name: `cairn-doctor-${process.pid}` });
    return { result: { name: 'site', status: 'ok', detail: `${connection.server} answers (site ${connection.site}, from ${connection.siteSource})` }, nc };
  } catch (err) {
    return {
      result: { name: 'site', status: 'fail', detail: `${connection.server} does not answer: ${(err as Error).message}`, fix: 'start a site here with `cairn up` (or `cairn site up <site>`), or point at one with --server / CAIRN_SERVER' },
    };
  }
}

export async function checkJetStream(nc: NatsConnection): Promise<CheckResult> {
  try {
    const jsm = await jetstreamManager(nc, { timeout: REQUEST_TIMEOUT_MS });
    const info = await jsm.getAccountInfo();
    return { name: 'jetstream', status: 'ok', detail: `on${info.domain ? ` (domain ${info.domain})` : ''}: ${info.streams} streams, ${formatBytes(info.storage)} stored` };
  } catch (err) {
    return { name: 'jetstream', status: 'fail', detail: `not available: ${(err as Error).message}`, fix: 'enable JetStream in the server config (`jetstream { store_dir: ... }`); sites Cairn starts have it' };
  }
}

/** The site's nodes, and the clocks of those writing to it. */
export async function checkNodes(nc: NatsConnection, site: string): Promise<CheckResult[]> {
  const jsm = await jetstreamManager(nc, { timeout: REQUEST_TIMEOUT_MS });
  const now = Date.now();
  const nodes = await readNodeRegistry(jsm, site, now);
  const own = nodes.filter((n) => n.site === site);
  const up = own.filter((n) => n.state === 'up');
  const leader = up.find((n) => n.role === 'leader');
  const dead = own.length - up.length;
  const results: CheckResult[] = [];
  if (up.length === 0) results.push({ name: 'nodes', status: 'fail', detail: `no node of site ${site} is up${dead > 0 ? ` (${dead} dead)` : ''}`, fix: `start one: \`cairn up\`, or \`cairn site up ${site}\`` });
  else if (!leader) results.push({ name: 'nodes', status: 'warn', detail: `${up.length} up, none leads site ${site} yet`, fix: 'wait a lease ttl (5 s); if it stays so, read the nodes\' logs' });
  else results.push({ name: 'nodes', status: dead > 0 ? 'warn' : 'ok', detail: `${up.length} up (leader ${leader.id})${dead > 0 ? `, ${dead} dead` : ''}`, ...(dead > 0 ? { fix: 'a dead node is listed until its record ages out; `cairn nodes` shows when each was last seen' } : {}) });

  // Each heartbeat record holds the node's clock; the server stamps when it stored it.
  const stored: { id: string; site: string; lastSeen: number; storedAt: number }[] = [];
  const kv = await new Kvm(jetstream(nc, { timeout: REQUEST_TIMEOUT_MS })).open(Buckets.nodes(site)).catch(() => undefined);
  for (const n of up) {
    const e = kv ? await kv.get(n.id).catch(() => null) : null;
    if (!e || e.operation !== 'PUT' || e.length === 0) continue;
    const record = decodeValue(e.value) as { lastSeen?: number };
    if (typeof record.lastSeen === 'number') stored.push({ id: n.id, site, lastSeen: record.lastSeen, storedAt: e.created.getTime() });
  }
  const skewed = clockSkews(stored, CLOCK_SKEW_TOLERANCE_MS);
  if (stored.length === 0) results.push({ name: 'clocks', status: 'skip', detail: 'no live node record to compare' });
  else if (skewed.length === 0) results.push({ name: 'clocks', status: 'ok', detail: `${stored.length} node(s) within ${CLOCK_SKEW_TOLERANCE_MS / 1000} s of the server` });
  else {
    const worst = skewed[0]!;
    results.push({ name: 'clocks', status: 'warn', detail: `node ${worst.id}'s clock is ${(Math.abs(worst.skewMs) / 1000).toFixed(1)} s ${worst.skewMs > 0 ? 'ahead of' : 'behind'} its server${skewed.length > 1 ? ` (and ${skewed.length - 1} more)` : ''}: liveness, ttls and timestamps drift`, fix: 'run NTP (chrony, systemd-timesyncd) on that machine and on the server' });
  }
  return results;
}

/**
 * The other sites this server knows of (their nodes are in its registry): is each reachable over
 * its leaf link (`links`), and how far is its clock from this machine's (`site clocks`, from the
 * newest heartbeat of each site that answers)?
 */
export async function checkLinks(nc: NatsConnection, site: string): Promise<CheckResult[]> {
  const jsm = await jetstreamManager(nc, { timeout: REQUEST_TIMEOUT_MS });
  const records = (await readNodeRegistry(jsm, site, Date.now())).filter((n) => n.site !== site);
  const peers = [...new Set(records.map((n) => n.site))].sort();
  if (peers.length === 0) return [{ name: 'links', status: 'ok', detail: 'no other site known here' }, { name: 'site clocks', status: 'skip', detail: 'no other site known here' }];
  const down: string[] = [];
  for (const peer of peers) {
    const answer = await nc.request(`$JS.${peer}.API.INFO`, new Uint8Array(0), { timeout: REQUEST_TIMEOUT_MS }).catch(() => undefined);
    if (!answer) down.push(peer);
  }
  const links: CheckResult =
    down.length === 0
      ? { name: 'links', status: 'ok', detail: `${peers.length} other site(s) answer: ${peers.join(', ')}` }
      : { name: 'links', status: 'fail', detail: `no answer from ${down.join(', ')} (of ${peers.join(', ')}): the leaf link is down or the site's server is away`, fix: "read nats-server.log on both sides; check the edge's leafnodes remote URL, the network and any proxy between them (messages wait in the outboxes meanwhile)" };
  // Read again after the link checks: the newest heartbeats, of the sites that answer.
  const reachable = peers.filter((p) => !down.includes(p));
  const now = Date.now();
  const live = (await readNodeRegistry(jsm, site, now)).filter((n) => reachable.includes(n.site) && n.state !== 'left');
  const compared = [...new Set(live.map((n) => n.site))].sort();
  const skewed = siteClockSkews(live, now, CLOCK_SKEW_TOLERANCE_MS);
  const clocks: CheckResult =
    compared.length === 0
      ? { name: 'site clocks', status: 'skip', detail: 'no other site answers' }
      : skewed.length === 0
        ? { name: 'site clocks', status: 'ok', detail: `${compared.join(', ')} within ${CLOCK_SKEW_TOLERANCE_MS / 1000} s of this machine` }
        : {
            name: 'site clocks',
            status: 'warn',
            detail: `site ${skewed[0]!.site}'s clock is ${(Math.abs(skewed[0]!.skewMs) / 1000).toFixed(1)} s ${skewed[0]!.skewMs > 0 ? 'ahead of' : 'behind'} this machine${skewed.length > 1 ? ` (and ${skewed.length - 1} more site(s))` : ''}, by its newest heartbeat: its nodes may look dead here, and ttls and timestamps drift between sites`,
            fix: 'run NTP (chrony, systemd-timesyncd) on every site\'s machines; if clocks agree, its heartbeats arrive late: check the link',
          };
  return [links, clocks];
}

/** The Docker engine, which container-mode actors need. */
export async function checkDocker(): Promise<CheckResult> {
  try {
    const { default: Docker } = await import('dockerode');
    const docker = new Docker();
    const version = await Promise.race([docker.version(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS).unref())]);
    return { name: 'docker', status: 'ok', detail: `engine ${version.Version} answers` };
  } catch (err) {
    return { name: 'docker', status: 'warn', detail: `no engine answers: ${(err as Error).message}`, fix: 'only container-mode actors need it: start dockerd (or Docker Desktop), or set DOCKER_HOST' };
  }
}

/** Free space where the site's store lives (the data dir, or the nearest folder of it that exists). */
export async function checkDisk(dataDir: string): Promise<CheckResult> {
  let dir = resolve(dataDir);
  for (;;) {
    try {
      const s = await statfs(dir);
      const free = s.bavail * s.bsize;
      const share = s.blocks > 0 ? s.bavail / s.blocks : 1;
      const detail = `${formatBytes(free)} free (${Math.round(share * 100)} %) at ${dir}`;
      if (free < LOW_DISK_BYTES || share < 0.1) return { name: 'disk', status: 'warn', detail, fix: "JetStream refuses writes when the store's disk is full: free space, or move the data dir (--data-dir)" };
      return { name: 'disk', status: 'ok', detail };
    } catch {
      const up = dirname(dir);
      if (up === dir) return { name: 'disk', status: 'skip', detail: `cannot read the file system of ${dataDir}` };
      dir = up;
    }
  }
}
