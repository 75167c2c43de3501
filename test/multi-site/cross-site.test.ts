import { describe, expect, it } from 'vitest';
import { match } from 'ts-pattern';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { defineActor } from '../../kernel/index.ts';
import type { ActorRef, Asks, PeerSite } from '../../kernel/index.ts';
import { jetstreamManager } from '@nats-io/jetstream';
import { Consumers, Streams, Subjects } from '../../protocols/index.ts';
import { topologyPerTest } from '../helpers/topology.ts';
import type { SiteServer } from '../helpers/topology.ts';
import { sourcingReport } from '../helpers/sourcing-report.ts';

/** What a tally has seen: per sender, the last index; duplicates and gaps are counted, not hidden. */
interface TallyState {
  readonly last: Record<string, number>;
  readonly count: number;
  readonly dups: number;
  readonly gaps: number;
}
type TallyMsg = { type: 'n'; from: string; i: number } | ({ type: 'report' } & Asks<TallyState>);

/** Persisted, so a redelivery after a server restart is not counted twice (effectively-once). */
const Tally = defineActor<TallyMsg, TallyState>({
  name: 'tally',
  persist: true,
  initialState: () => ({ last: {}, count: 0, dups: 0, gaps: 0 }),
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'n' }, ({ from, i }) => {
        const s = ctx.state;
        const prev = s.last[from] ?? -1;
        if (i <= prev) return ctx.setState({ ...s, dups: s.dups + 1 });
        ctx.setState({ last: { ...s.last, [from]: i }, count: s.count + 1, dups: s.dups, gaps: s.gaps + (i === prev + 1 ? 0 : 1) });
      })
      .with({ type: 'report' }, () => ctx.state)
      .exhaustive(),
});

/** Tally that takes a few milliseconds per message, so that a small mailbox fills up. */
const SlowTally = defineActor<TallyMsg, TallyState>({
  ...Tally,
  name: 'slow-tally',
  initialState: () => ({ last: {}, count: 0, dups: 0, gaps: 0 }),
  receive: async (msg, ctx) => {
    if (msg.type === 'n') await new Promise((r) => setTimeout(r, 3));
    return Tally.receive(msg, ctx);
  },
});

/** Tally without persistence: it counts every delivery, repeats included. */
const CountAll = defineActor<TallyMsg, TallyState>({ ...Tally, name: 'count-all', persist: false, initialState: () => ({ last: {}, count: 0, dups: 0, gaps: 0 }) });

const N = 10_000;
const sites = topologyPerTest();
const peersOf = new Map<ActorSystem, readonly PeerSite[]>();

async function siteSystem(server: SiteServer, site: string, peers: readonly PeerSite[]): Promise<ActorSystem> {
  const sys = await createActorSystem({ servers: server.url, site, node: `${site}-n1`, peers, mailbox: { ackWaitMs: 2_000 } });
  sites.keep(sys);
  peersOf.set(sys, peers);
  await sys.spawn(Tally, { id: 'tally' });
  return sys;
}

/** Sends N numbered tells from `from` to `to`, 500 in flight at a time; resolves when all are stored on the sender's site. */
async function sendNumbered(to: ActorRef<TallyMsg>, from: string): Promise<void> {
  for (let i = 0; i < N; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, N - i) }, (_, k) => to.tell({ type: 'n', from, i: i + k }, { id: `${from}-${i + k}` })));
  }
}

async function report(sys: ActorSystem): Promise<TallyState> {
  return sys.ref<TallyMsg>('tally').ask({ type: 'report' }, { timeout: 10_000 });
}

async function untilCount(sys: ActorSystem, count: number, timeout = 90_000): Promise<TallyState> {
  try {
    await expect.poll(async () => (await report(sys).catch(() => undefined))?.count, { timeout, interval: 250 }).toBe(count);
  } catch (err) {
    // Say where the messages stopped: the mailbox and the consumers its forwarders read through.
    const site = sys.node.site;
    const peers = peersOf.get(sys) ?? [];
    const watch = JSON.stringify(Object.fromEntries(sys.node.peerSourceStates()));
    throw new Error(`${(err as Error).message}\n${await sourcingReport({ nc: sys.node.nc, site, peers })}\n  forwarders: ${watch}`, { cause: err });
  }
  return report(sys);
}

describe('cross-site messages', () => {
  it('cross-site - tells need no link: 10,000 each way while the leaf link is cut, all delivered once and in order after it returns', async () => {
    const topology = await sites.start(['edge1', 'edge2']);
    const { cloud, edges, links } = topology;
    const cloudSys = await siteSystem(cloud, 'cloud', [{ site: 'edge1', domain: 'edge1' }, { site: 'edge2', domain: 'edge2' }]);
    const edge1Sys = await siteSystem(edges.edge1!, 'edge1', [{ site: 'cloud', domain: 'cloud' }]);
    const edge2Sys = await siteSystem(edges.edge2!, 'edge2', [{ site: 'cloud', domain: 'cloud' }, { site: 'edge1', domain: 'edge1' }]);

    links.edge1!.freeze();
    // Every tell resolves while edge1 is cut off: each is stored on its sender's own site.
    await Promise.all([
      sendNumbered(cloudSys.ref<TallyMsg>('tally', 'edge1'), 'cloud'),
      sendNumbered(edge1Sys.ref<TallyMsg>('tally', 'cloud'), 'edge1'),
      sendNumbered(edge1Sys.ref<TallyMsg>('tally', 'edge2'), 'edge1'),
    ]);
    // Edge autonomy: edge1 keeps handling its local messages with the link down.
    await edge1Sys.ref<TallyMsg>('tally').tell({ type: 'n', from: 'local', i: 0 });
    expect((await report(edge1Sys)).last.local).toBe(0);
    // The cut is real: nothing crossed it (edge2, whose link is up, already gets cloud traffic).
    expect((await report(cloudSys)).count).toBe(0);
    expect((await report(edge1Sys)).count).toBe(1);

    links.edge1!.thaw({ reset: true });
    const atEdge1 = await untilCount(edge1Sys, N + 1);
    const atCloud = await untilCount(cloudSys, N);
    const atEdge2 = await untilCount(edge2Sys, N);
    for (const [state, from] of [[atEdge1, 'cloud'], [atCloud, 'edge1'], [atEdge2, 'edge1']] as const) {
      expect(state).toMatchObject({ dups: 0, gaps: 0 });
      expect(state.last[from]).toBe(N - 1);
    }
  }, 300_000);

  it('cross-site - a site started while its peer is unreachable gets what the peer sent meanwhile once the link returns', async () => {
    const topology = await sites.start(['edge1']);
    const { cloud, edges, links } = topology;
    const cloudSys = await siteSystem(cloud, 'cloud', [{ site: 'edge1', domain: 'edge1' }]);
    links.edge1!.freeze();
    // The edge cannot create its source consumer on the cloud's outbox: it starts anyway and retries.
    const edgeSys = await siteSystem(edges.edge1!, 'edge1', [{ site: 'cloud', domain: 'cloud' }]);
    expect(edgeSys.node.peerSourceStates().get('cloud')).toMatchObject({ type: 'waiting' });
    await Promise.all(Array.from({ length: 200 }, (_, i) => cloudSys.ref<TallyMsg>('tally', 'edge1').tell({ type: 'n', from: 'cloud', i }, { id: `late-${i}` })));
    // Local traffic on the edge meanwhile (nats-server 2.15 starts a plain source at the time of
    // the stream's last message: these would make it skip everything the cloud stored before).
    await edgeSys.ref<TallyMsg>('tally').tell({ type: 'n', from: 'local', i: 0 });
    expect((await report(edgeSys)).count).toBe(1);
    links.edge1!.thaw({ reset: true });
    const atEdge = await untilCount(edgeSys, 201);
    expect(atEdge).toMatchObject({ dups: 0, gaps: 0 });
    expect(atEdge.last.cloud).toBe(199);
    expect(edgeSys.node.peerSourceStates().get('cloud')).toEqual({ type: 'ready' });
  }, 120_000);

  it('cross-site - a tell with a ttl that waits in the outbox longer than its ttl, the link cut, is dropped there and never delivered', async () => {
    const topology = await sites.start(['edge1']);
    const { cloud, edges, links } = topology;
    const cloudSys = await siteSystem(cloud, 'cloud', [{ site: 'edge1', domain: 'edge1' }]);
    const edgeSys = await siteSystem(edges.edge1!, 'edge1', [{ site: 'cloud', domain: 'cloud' }]);
    links.edge1!.freeze();
    const tally = cloudSys.ref<TallyMsg>('tally', 'edge1');
    await tally.tell({ type: 'n', from: 'cloud', i: 0 }, { id: 'ttl-0', ttl: 1_000 });
    await tally.tell({ type: 'n', from: 'cloud', i: 1 }, { id: 'ttl-1' });
    const jsm = await jetstreamManager(cloudSys.node.nc);
    const waiting = async (): Promise<number> => (await jsm.streams.info(Streams.outbox('cloud'), { subjects_filter: Subjects.outbox('cloud', 'edge1', 'tally') })).state.messages;
    await expect.poll(waiting, { timeout: 10_000, interval: 200 }).toBe(1);
    links.edge1!.thaw({ reset: true });
    const atEdge = await untilCount(edgeSys, 1);
    expect(atEdge.last.cloud).toBe(1);
    expect(atEdge.gaps).toBe(1); // i = 0 never came: it expired in the cloud's outbox
  }, 60_000);

  it('cross-site - a source consumer deleted on the peer is recreated where the mailbox left off, and messages flow again without repeats', async () => {
    const topology = await sites.start(['edge1']);
    const { cloud, edges } = topology;
    const cloudSys = await siteSystem(cloud, 'cloud', [{ site: 'edge1', domain: 'edge1' }]);
    const edgeSys = await createActorSystem({ servers: edges.edge1!.url, site: 'edge1', node: 'edge1-n1', peers: [{ site: 'cloud', domain: 'cloud' }] });
    sites.keep(edgeSys);
    // Not persisted: a message sourced twice would be counted twice.
    await edgeSys.spawn(CountAll, { id: 'tally' });
    const tally = cloudSys.ref<TallyMsg>('tally', 'edge1');
    for (let i = 0; i < 10; i++) await tally.tell({ type: 'n', from: 'cloud', i });
    await untilCount(edgeSys, 10);
    // An operator (or `nats consumer rm`) deletes the consumer this edge sources through.
    await (await jetstreamManager(cloudSys.node.nc)).consumers.delete(Streams.outbox('cloud'), Consumers.source('edge1'));
    for (let i = 10; i < 20; i++) await tally.tell({ type: 'n', from: 'cloud', i });
    const state = await untilCount(edgeSys, 20, 30_000);
    expect(state).toMatchObject({ dups: 0, gaps: 0 });
    expect(edgeSys.node.peerSourceStates().get('cloud')).toEqual({ type: 'ready' });
  }, 90_000);

  it("cross-site - a peer's messages to an actor whose mailbox is full wait in order: none lost, none overtaken", async () => {
    const topology = await sites.start(['edge1']);
    const cloudSys = await siteSystem(topology.cloud, 'cloud', [{ site: 'edge1', domain: 'edge1' }]);
    const peers = [{ site: 'cloud', domain: 'cloud' }];
    // A mailbox of 3 per actor: the forwarder meets "full" again and again while the actor works.
    const edgeSys = await createActorSystem({ servers: topology.edges.edge1!.url, site: 'edge1', node: 'edge1-n1', peers, mailbox: { capacity: 3 } });
    sites.keep(edgeSys);
    peersOf.set(edgeSys, peers);
    await edgeSys.spawn(SlowTally, { id: 'tally' });
    const tally = cloudSys.ref<TallyMsg>('tally', 'edge1');
    await Promise.all(Array.from({ length: 300 }, (_, i) => tally.tell({ type: 'n', from: 'cloud', i }, { id: `full-${i}` })));
    const atEdge = await untilCount(edgeSys, 300, 60_000);
    expect(atEdge).toMatchObject({ dups: 0, gaps: 0 });
    expect(atEdge.last.cloud).toBe(299);
  }, 90_000);

  it('cross-site - an ask reaches an actor on another site by name and gets its reply', async () => {
    const topology = await sites.start(['edge1']);
    const cloudSys = await siteSystem(topology.cloud, 'cloud', [{ site: 'edge1', domain: 'edge1' }]);
    const edgeSys = await siteSystem(topology.edges.edge1!, 'edge1', [{ site: 'cloud', domain: 'cloud' }]);
    await cloudSys.ref<TallyMsg>('tally', 'edge1').tell({ type: 'n', from: 'cloud', i: 0 });
    await expect.poll(() => cloudSys.ref<TallyMsg>('tally', 'edge1').ask({ type: 'report' }, { timeout: 5_000 }).then((s) => s.count), { timeout: 30_000 }).toBe(1);
    expect((await edgeSys.ref<TallyMsg>('tally', 'cloud').ask({ type: 'report' }, { timeout: 10_000 })).count).toBe(0);
  }, 60_000);

  it('cross-site - the cloud server killed and restarted mid-stream: nothing lost, nothing twice, order kept', async () => {
    const topology = await sites.start(['edge1']);
    const { cloud, edges } = topology;
    const cloudSys = await siteSystem(cloud, 'cloud', [{ site: 'edge1', domain: 'edge1' }]);
    const edgeSys = await siteSystem(edges.edge1!, 'edge1', [{ site: 'cloud', domain: 'cloud' }]);
    const sending = sendNumbered(edgeSys.ref<TallyMsg>('tally', 'cloud'), 'edge1');
    await expect.poll(async () => (await report(cloudSys)).count, { timeout: 30_000, interval: 50 }).toBeGreaterThan(500);
    await cloud.kill();
    await sending; // the edge keeps storing while the cloud is down
    await cloud.start();
    const atCloud = await untilCount(cloudSys, N);
    expect(atCloud).toMatchObject({ dups: 0, gaps: 0 });
    expect(atCloud.last.edge1).toBe(N - 1);
  }, 180_000);

  it('cross-site - 10,000 each way, each receiving server killed twice during catch-up: non-persisted actors handle every message once', async () => {
    const topology = await sites.start(['edge1']);
    const { cloud, edges } = topology;
    const edge = edges.edge1!;
    const cloudSys = await siteSystem(cloud, 'cloud', [{ site: 'edge1', domain: 'edge1' }]);
    const edgeSys = await siteSystem(edge, 'edge1', [{ site: 'cloud', domain: 'cloud' }]);
    // Not persisted: a message a restarted server sources again would be handled (and counted) again.
    await cloudSys.spawn(CountAll, { id: 'count-all' });
    await edgeSys.spawn(CountAll, { id: 'count-all' });
    const counted = (sys: ActorSystem) => (): Promise<number> =>
      sys.ref<TallyMsg>('count-all').ask({ type: 'report' }, { timeout: 5_000 }).then((s) => s.count, () => 0);
    // Both are stored in their senders' outboxes at once; catch-up then runs both ways together.
    await Promise.all([sendNumbered(edgeSys.ref<TallyMsg>('count-all', 'cloud'), 'edge1'), sendNumbered(cloudSys.ref<TallyMsg>('count-all', 'edge1'), 'cloud')]);
    for (const [server, sys, above] of [[cloud, cloudSys, 2_000], [edge, edgeSys, 2_000], [cloud, cloudSys, 4_500], [edge, edgeSys, 4_500]] as const) {
      await expect.poll(counted(sys), { timeout: 60_000, interval: 50 }).toBeGreaterThan(above);
      await server.kill();
      await server.start();
    }
    for (const [sys, from] of [[cloudSys, 'edge1'], [edgeSys, 'cloud']] as const) {
      const state = async (): Promise<TallyState | undefined> => sys.ref<TallyMsg>('count-all').ask({ type: 'report' }, { timeout: 5_000 }).catch(() => undefined);
      await expect.poll(async () => (await state())?.last[from], { timeout: 120_000, interval: 250 }).toBe(N - 1);
      expect(await state()).toMatchObject({ count: N, dups: 0, gaps: 0 });
    }
  }, 300_000);

  it('cross-site - the edge server killed and restarted mid-stream: nothing lost, nothing twice, order kept', async () => {
    const topology = await sites.start(['edge1']);
    const { cloud, edges } = topology;
    const cloudSys = await siteSystem(cloud, 'cloud', [{ site: 'edge1', domain: 'edge1' }]);
    const edgeSys = await siteSystem(edges.edge1!, 'edge1', [{ site: 'cloud', domain: 'cloud' }]);
    await sendNumbered(cloudSys.ref<TallyMsg>('tally', 'edge1'), 'cloud');
    await expect.poll(async () => (await report(edgeSys)).count, { timeout: 30_000, interval: 50 }).toBeGreaterThan(500);
    await edges.edge1!.kill();
    await edges.edge1!.start();
    const atEdge = await untilCount(edgeSys, N);
    expect(atEdge).toMatchObject({ dups: 0, gaps: 0 });
    expect(atEdge.last.cloud).toBe(N - 1);
  }, 180_000);
});
