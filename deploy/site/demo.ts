import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { ActorRef } from '../../kernel/index.ts';
import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';
import { freePorts } from '../nats-server/index.ts';
import type { RunningNatsServer } from '../nats-server/index.ts';
import { Aggregator, Alarm, defineSensor } from './demo-app.ts';
import type { AggregatorMsg, AggregatorState, AlarmMsg, AlarmState, EdgeTally, SensorMsg, SensorState } from './demo-app.ts';
import { initSites } from './init-sites.ts';
import { startLinkProxy } from './link-proxy.ts';
import type { LinkProxy } from './link-proxy.ts';
import type { SitesFile } from './sites-file.ts';
import { startSite } from './start-site.ts';
import type { RunningSite } from './start-site.ts';

export interface DemoOptions {
  /** Narration, one line at a time. */
  readonly out: (line: string) => void;
  /** Where configs, stores and logs go (its cloud/, edge1/, edge2/ are recreated). @default a temp dir, removed at the end */
  readonly dir?: string;
  /** How long the sensors run: a quarter with links up, a third cut, the rest restored. @default 20000 */
  readonly durationMs?: number;
  /** Sensor period. @default 100 */
  readonly intervalMs?: number;
  /** Progress line period. @default 1000 */
  readonly reportEveryMs?: number;
  /** How long to wait for links and for the backlog to arrive. @default 30000 */
  readonly catchUpTimeoutMs?: number;
  /** The nats-server binary. @default findNatsServer() */
  readonly natsServer?: string;
  /** Aborting ends the run early: sensors stop and everything is stopped. */
  readonly signal?: AbortSignal;
}

export interface EdgeSummary {
  readonly edge: string;
  /** Readings the edge's sensor had accepted (stored on the edge). */
  readonly sent: number;
  /** Readings the edge's alarm handled locally. */
  readonly handledLocally: number;
  readonly atCloud: EdgeTally;
  readonly lost: number;
}

export interface DemoResult {
  readonly edges: readonly EdgeSummary[];
  readonly lost: number;
  readonly duplicated: number;
  readonly gaps: number;
  /** Readings edge1 sent while its link was cut, and how many of them the cloud had before the link returned. */
  readonly cut: { readonly sentDuringCut: number; readonly cloudGotDuringCut: number; readonly catchUpMs: number | undefined };
  /** True when the run was not aborted and nothing was lost, duplicated or out of order. */
  readonly ok: boolean;
}

const CLOUD = 'cloud';
const EDGES = ['edge1', 'edge2'] as const;
const CUT_EDGE = 'edge1';
/** Waits `ms`, or less when `signal` aborts; either way its abort listener goes (one per wait piled up, a MaxListenersExceededWarning). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((r) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      r();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * `cairn demo`: a cloud and two edges on this machine, from generated configs, each edge's leaf
 * link through a TCP proxy the demo controls. Each edge's sensor tells the cloud's aggregator a
 * reading every interval and its local alarm too. Part way through, edge1's link is cut (the proxy
 * stops carrying bytes, as a dead network does), then restored; the narration shows edge1 carrying
 * on alone, its backlog arriving, and a final check, from real counts, that nothing was lost or
 * duplicated.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const t0 = performance.now();
  const say = (line: string): void => opts.out(`[+${((performance.now() - t0) / 1000).toFixed(1)}s] ${line}`);
  const durationMs = opts.durationMs ?? 20_000;
  const intervalMs = opts.intervalMs ?? 100;
  const catchUpTimeoutMs = opts.catchUpTimeoutMs ?? 30_000;
  const ownDir = opts.dir === undefined;
  const dir = ownDir ? await mkdtemp(join(tmpdir(), 'cairn-demo-')) : resolve(opts.dir!);
  if (!ownDir) for (const s of [CLOUD, ...EDGES]) await rm(join(dir, s), { recursive: true, force: true });

  const proxies: Record<string, LinkProxy> = {};
  const sites: RunningSite[] = [];
  const clients: NatsConnection[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    const [cloudPort, leafPort, ...edgePorts] = await freePorts(2 + EDGES.length);
    for (const e of EDGES) proxies[e] = await startLinkProxy({ host: '127.0.0.1', port: leafPort! });
    const description: SitesFile = {
      apiVersion: 'cairn.dev/v1',
      kind: 'Sites',
      // No `advertise`: the hub gossips no leaf address (no_advertise), so an edge whose link
      // dropped re-dials only its proxy, and a cut stays cut.
      cloud: { name: CLOUD, host: '127.0.0.1', port: cloudPort!, leafPort: leafPort!, labels: {}, certificateNames: [] },
      edges: EDGES.map((name, i) => ({ name, host: '127.0.0.1', port: edgePorts[i]!, labels: { demo: 'true' }, receivesFrom: [], certificateNames: [] })),
      dataDir: dir,
    };
    const init = await initSites(description, { outDir: dir, force: true, leafUrlFor: (e) => `nats-leaf://127.0.0.1:${proxies[e]!.port}` });
    say(`generated configs for ${init.sites.map((s) => s.site).join(', ')} in ${dir} (each edge dials the cloud through a local TCP proxy)`);

    // The leaf link is up once a client on one side reaches the other side's JetStream domain.
    const linkUp = async (from: { site: string; url: string }, domain: string): Promise<void> => {
      const nc = await connect({ servers: from.url, maxReconnectAttempts: -1 });
      clients.push(nc);
      const deadline = performance.now() + catchUpTimeoutMs;
      for (;;) {
        try {
          await (await jetstreamManager(nc, { domain, timeout: 1_000 })).getAccountInfo();
          return;
        } catch (err) {
          if (performance.now() > deadline) {
            throw new CairnError(DeployCodes.DEMO_LINK_TIMEOUT, `the leaf link between ${from.site} and ${domain} did not come up within ${catchUpTimeoutMs} ms (${(err as Error).message}); see the logs in ${dir}`, { cause: err, details: { dir } });
          }
          // No event says "the link works" (both sides log the connection before authentication).
          await sleep(100, opts.signal);
        }
      }
    };
    const start = (site: string, beforeNode?: (server: RunningNatsServer) => Promise<void>): Promise<RunningSite> =>
      startSite({
        dir,
        site,
        shutdownTimeoutMs: 10_000,
        system: { mailbox: { ackWaitMs: 5_000 } },
        ...(beforeNode === undefined ? {} : { beforeNode }),
        ...(opts.natsServer === undefined ? {} : { natsServer: opts.natsServer }),
      });
    // Edges first, and the cloud's node only once its links work: its mailbox stream sources the
    // edges' outboxes, and a source that cannot be reached at creation is retried seconds later.
    const edges: Record<string, RunningSite> = {};
    for (const e of EDGES) sites.push((edges[e] = await start(e)));
    const cloud = await start(CLOUD, async (server) => {
      await Promise.all(EDGES.flatMap((e) => [linkUp({ site: CLOUD, url: server.url }, e), linkUp(edges[e]!, CLOUD)]));
      say(`leaf links up: ${EDGES.map((e) => `${e} ⇄ ${CLOUD}`).join(', ')}`);
    });
    sites.push(cloud);
    say(`a node runs on each site: ${sites.map((s) => `${s.site} ${s.url}`).join(', ')}`);

    const aggregator = await cloud.system.spawn(Aggregator, { id: 'aggregator' });
    const sensors: Record<string, ActorRef<SensorMsg>> = {};
    const alarms: Record<string, ActorRef<AlarmMsg>> = {};
    for (const e of EDGES) {
      alarms[e] = await edges[e]!.system.spawn(Alarm, { id: 'alarm' });
      sensors[e] = await edges[e]!.system.spawn(defineSensor(CLOUD), { id: 'sensor' });
    }
    say(`actors: ${CLOUD}/aggregator; ${EDGES.map((e) => `${e}/sensor → ${CLOUD}/aggregator and ${e}/alarm`).join('; ')}`);

    const ask = <S>(ref: ActorRef<SensorMsg> | ActorRef<AlarmMsg> | ActorRef<AggregatorMsg>, timeout = 2_000): Promise<S | undefined> =>
      (ref as ActorRef<{ type: 'report' }>).ask({ type: 'report' }, { timeout }).then((s) => s as S, () => undefined);
    const snapshot = async () => {
      const [atCloud, ...perEdge] = await Promise.all([
        ask<AggregatorState>(aggregator),
        ...EDGES.map(async (e) => ({ edge: e, sensor: await ask<SensorState>(sensors[e]!), alarm: await ask<AlarmState>(alarms[e]!) })),
      ]);
      return { atCloud: atCloud as AggregatorState | undefined, perEdge: perEdge as { edge: string; sensor?: SensorState; alarm?: AlarmState }[] };
    };
    const cloudHas = (s: AggregatorState | undefined, e: string): number | undefined => (s === undefined ? undefined : (s[e]?.received ?? 0));
    const fmt = (n: number | undefined): string => (n === undefined ? '?' : String(n));
    const progress = async (): Promise<void> => {
      const s = await snapshot();
      say(
        `cloud has ${EDGES.map((e) => `${e}: ${fmt(cloudHas(s.atCloud, e))}`).join(', ')} | ` +
          s.perEdge.map((p) => `${p.edge} sent ${fmt(p.sensor?.sent)}, alarm handled ${fmt(p.alarm?.handled)}`).join(' | '),
      );
    };

    // Sensors tick on their own timers; progress is reported each second.
    let ticking = true;
    const ticks: Promise<unknown>[] = [];
    for (const e of EDGES) {
      timers.push(
        setInterval(() => {
          if (ticking) ticks.push(sensors[e]!.tell({ type: 'tick' }).catch(() => undefined));
        }, intervalMs),
      );
    }
    say(`sensors started: each sends a reading every ${intervalMs} ms to ${CLOUD}/aggregator and to its own alarm`);
    for (const deadline = performance.now() + catchUpTimeoutMs; ; ) {
      const s = await ask<AggregatorState>(aggregator);
      if (EDGES.every((e) => (cloudHas(s, e) ?? 0) > 0)) break;
      if (performance.now() > deadline) {
        throw new CairnError(DeployCodes.DEMO_LINK_TIMEOUT, `no reading reached the cloud within ${catchUpTimeoutMs} ms; see the logs in ${dir}`, { details: { dir } });
      }
      await sleep(100, opts.signal);
    }
    say(`messages flowing: readings from ${EDGES.join(' and ')} reach the cloud`);
    const reporter = setInterval(() => void progress().catch(() => undefined), opts.reportEveryMs ?? 1_000);
    timers.push(reporter);

    const cutAt = Math.round(durationMs * 0.25);
    const restoreAt = Math.round(durationMs * 0.6);
    await sleep(cutAt, opts.signal);

    say(`cutting ${CUT_EDGE}'s link: its proxy stops carrying bytes, as a dead network does`);
    const before = await snapshot();
    proxies[CUT_EDGE]!.freeze();
    // Readings already across the link when it froze are still handled by the cloud: count from
    // half a second into the cut, so that "the cloud got 0" speaks of the cut alone.
    await sleep(500, opts.signal);
    const cloudAtCut = cloudHas((await snapshot()).atCloud, CUT_EDGE) ?? 0;
    const alarmAtCut = before.perEdge.find((p) => p.edge === CUT_EDGE)?.alarm?.handled ?? 0;
    const sentAtCut = before.perEdge.find((p) => p.edge === CUT_EDGE)?.sensor?.sent ?? 0;
    await sleep(restoreAt - cutAt, opts.signal);

    const during = await snapshot();
    const sentAtRestore = during.perEdge.find((p) => p.edge === CUT_EDGE)?.sensor?.sent ?? 0;
    const cloudAtRestore = cloudHas(during.atCloud, CUT_EDGE) ?? 0;
    const alarmDuring = during.perEdge.find((p) => p.edge === CUT_EDGE)?.alarm?.handled;
    say(
      `while cut, ${CUT_EDGE} kept working: its sensor sent ${sentAtRestore - sentAtCut} readings (each stored in ${CUT_EDGE}'s outbox), ` +
        `its alarm handled ${alarmDuring === undefined ? '?' : alarmDuring - alarmAtCut}; the cloud got ${Math.max(0, cloudAtRestore - cloudAtCut)} from ${CUT_EDGE} in that time`,
    );
    say(`restoring ${CUT_EDGE}'s link`);
    const restoredAt = performance.now();
    proxies[CUT_EDGE]!.thaw({ reset: true });

    // Watch for the backlog: the cloud reaches what edge1 had sent when the link came back.
    let catchUpMs: number | undefined;
    const watchCatchUp = (async () => {
      for (;;) {
        const has = cloudHas(await ask<AggregatorState>(aggregator), CUT_EDGE) ?? 0;
        if (has >= sentAtRestore) {
          catchUpMs = performance.now() - restoredAt;
          say(`${CUT_EDGE}'s backlog arrived: the cloud caught up with the ${sentAtRestore} readings ${CUT_EDGE} had sent, ${(catchUpMs / 1000).toFixed(1)} s after the link returned`);
          return;
        }
        if (performance.now() - restoredAt > catchUpTimeoutMs || opts.signal?.aborted) return;
        await sleep(100);
      }
    })();
    await sleep(Math.max(0, durationMs - restoreAt), opts.signal);

    ticking = false;
    for (const t of timers.splice(0)) clearInterval(t);
    await Promise.all(ticks);
    say('sensors stopped; waiting for every reading to reach the cloud');

    // A report is queued behind the ticks in the sensor's mailbox, so it counts all of them.
    const sent: Record<string, number> = {};
    const handled: Record<string, number> = {};
    for (const e of EDGES) {
      sent[e] = (await ask<SensorState>(sensors[e]!, 10_000))?.sent ?? 0;
      handled[e] = (await ask<AlarmState>(alarms[e]!, 10_000))?.handled ?? 0;
    }
    const deadline = performance.now() + catchUpTimeoutMs;
    let final: AggregatorState | undefined;
    for (;;) {
      final = await ask<AggregatorState>(aggregator, 5_000);
      if (final !== undefined && EDGES.every((e) => (final![e]?.received ?? 0) >= sent[e]!)) break;
      if (performance.now() > deadline || opts.signal?.aborted) break;
      await sleep(200);
    }
    await watchCatchUp;

    const edgesSummary: EdgeSummary[] = EDGES.map((e) => {
      const atCloud = final?.[e] ?? { received: 0, last: -1, duplicates: 0, gaps: 0 };
      return { edge: e, sent: sent[e]!, handledLocally: handled[e]!, atCloud, lost: Math.max(0, sent[e]! - atCloud.received) };
    });
    const lost = edgesSummary.reduce((n, s) => n + s.lost, 0);
    const duplicated = edgesSummary.reduce((n, s) => n + s.atCloud.duplicates, 0);
    const gaps = edgesSummary.reduce((n, s) => n + s.atCloud.gaps, 0);
    say('summary:');
    for (const s of edgesSummary) {
      say(`  ${s.edge}: sent ${s.sent}, cloud received ${s.atCloud.received} (in order up to seq ${s.atCloud.last}), ${s.lost} lost, ${s.atCloud.duplicates} duplicated, ${s.atCloud.gaps} gaps; alarm handled ${s.handledLocally} locally`);
    }
    const ok = opts.signal?.aborted !== true && lost === 0 && duplicated === 0 && gaps === 0;
    say(`check: ${lost} lost, ${duplicated} duplicated, ${gaps} out of order across ${EDGES.length} edges — ${ok ? 'OK' : 'FAILED'}`);
    return {
      edges: edgesSummary,
      lost,
      duplicated,
      gaps,
      cut: { sentDuringCut: sentAtRestore - sentAtCut, cloudGotDuringCut: Math.max(0, cloudAtRestore - cloudAtCut), catchUpMs },
      ok,
    };
  } finally {
    for (const t of timers) clearInterval(t);
    say('stopping: draining nodes, stopping nats-servers and proxies');
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    // Edges first, then the cloud they link to.
    for (const s of [...sites].reverse()) await s.stop().catch(() => undefined);
    await Promise.all(Object.values(proxies).map((p) => p.close()));
    if (ownDir) await rm(dir, { recursive: true, force: true });
    say('stopped');
  }
}
