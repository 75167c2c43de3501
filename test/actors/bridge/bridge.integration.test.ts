// cairn/bridge against a real mosquitto: what the site publishes reaches the remote broker once
// each, whether the broker was down while it was published or the link was cut mid-flight; what
// the buffer's limits drop is counted and reported; what comes from the peer never goes back.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { applyManifest, startAppController } from '../../../control-plane/index.ts';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import { freePorts } from '../../../deploy/nats-server/index.ts';
import { CairnClient } from '../../../client/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import type { BridgeEventMsg, BridgeStatus } from '../../../actors/index.ts';
import { startTestServer } from '../../helpers/nats.ts';
import { startMosquitto } from '../../helpers/mosquitto.ts';
import type { Mosquitto } from '../../helpers/mosquitto.ts';
import { startTcpProxy } from '../../helpers/tcp-proxy.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/bridge/', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

interface Site {
  readonly url: string;
  readonly nc: NatsConnection;
  readonly system: ActorSystem;
}

/** A site (its own nats-server and node) running application `uplink`: a bridge to `peerUrl` with `rules` (YAML flow), and what it reports to. */
async function bridgeSite(site: string, peerUrl: string, rules: string, more = '', nodeVia?: (serverPort: number) => Promise<number>, mqttPort?: number): Promise<Site> {
  const server = await startTestServer(mqttPort === undefined ? {} : { extra: { mqtt: { host: '127.0.0.1', port: mqttPort } } });
  cleanups.push(() => server.cleanup());
  const nc = await connect({ servers: server.url });
  cleanups.push(() => nc.close());
  // The node may reach its server through a proxy (to cut its connection); the test's client does not.
  const nodePort = nodeVia ? await nodeVia(Number(new URL(server.url).port)) : undefined;
  const system = await createActorSystem({ servers: nodePort === undefined ? server.url : `nats://127.0.0.1:${nodePort}`, site, node: `${site}-n1` });
  const controller = await startAppController({ system, appDir: FIXTURES });
  cleanups.push(async () => (await controller.stop(), await system.shutdown()));
  await applyManifest(jetstream(nc), uplinkManifest(peerUrl, rules, more));
  return { url: server.url, nc, system };
}

/** Application `uplink`: the bridge, what it reports to, and an actor routed what comes in under plant/cmd/. */
function uplinkManifest(peerUrl: string, rules: string, more = ''): string {
  return `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: uplink }
spec:
  actors:
    - id: bridge
      module: cairn/bridge
      config:
        peer: { url: "${peerUrl}", keepaliveS: 5 }
        rules: ${rules}
        report: { to: events }
${more}
    - { id: events, behaviour: { module: ./bridge-events.ts, export: BridgeEvents } }
    - { id: commands, behaviour: { module: ./bridge-events.ts, export: Payloads } }
  routes:
    - { from: { mqtt: "plant/cmd/#" }, to: { actor: commands } }
`;
}

const run = promisify(execFile);
/** Debian's mosquitto_pub, publishing at the remote broker. */
const remotePublish = (broker: Mosquitto, topic: string, message: string): Promise<unknown> => run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', topic, '-m', message]);
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const status = (s: Site): Promise<BridgeStatus> => s.system.ref('bridge').ask({ type: 'status' } as never, { timeout: 5_000 }) as Promise<BridgeStatus>;
const events = (s: Site): Promise<BridgeEventMsg[]> => s.system.ref('events').ask({ type: 'events' } as never, { timeout: 5_000 }) as Promise<BridgeEventMsg[]>;

/** A subscriber at the remote broker with a persistent session: counts each distinct payload and each repeat. */
async function farSubscriber(broker: Mosquitto, filter: string, qos: 1 | 2): Promise<{ unique: () => number; repeats: () => number; client: MqttClient }> {
  const seen = new Set<string>();
  let repeats = 0;
  const client = await connectAsync(broker.url, { clientId: `far-${filter.replace(/\W/g, '')}-${qos}`, protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 3_600 }, reconnectPeriod: 200 });
  cleanups.push(() => client.endAsync(true));
  client.on('message', (_topic, payload) => {
    const key = payload.toString();
    if (seen.has(key)) repeats++;
    else seen.add(key);
  });
  await client.subscribeAsync(filter, { qos });
  return { unique: () => seen.size, repeats: () => repeats, client };
}

/** Publishes `n` messages on the site, durably (each acked by the bridge's buffer), `parallel` at a time. */
async function publishOnSite(nc: NatsConnection, n: number, subject: (i: number) => string, parallel = 200): Promise<void> {
  const js = jetstream(nc);
  for (let i = 0; i < n; i += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, n - i) }, (_, k) => js.publish(subject(i + k), String(i + k))));
  }
}

describe('cairn/bridge', () => {
  it('outbound - 10,000 messages published while the remote broker is stopped all reach it once it starts, none twice', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.cleanup());
    const far = await farSubscriber(broker, 'factory/#', 1);
    const site = await bridgeSite('out1', broker.url, '[{ topic: "alerts/#", direction: out, qos: 1, localPrefix: "plant/", remotePrefix: "factory/p1/" }]');
    await expect.poll(async () => (await status(site)).peer.connected, { timeout: 20_000 }).toBe(true);

    await broker.stop();
    await expect.poll(async () => (await status(site)).peer.connected, { timeout: 20_000 }).toBe(false);
    await publishOnSite(site.nc, 10_000, (i) => `plant.alerts.m${i % 10}`);
    await expect.poll(async () => (await status(site)).buffer.messages, { timeout: 10_000 }).toBe(10_000);
    // What `cairn ps` shows of it.
    const client = await CairnClient.connect({ servers: site.url, site: 'out1' });
    cleanups.push(() => client.close());
    const listed = (await client.listActors()).results.find((a) => a.id === 'bridge');
    expect(listed?.figures).toMatchObject({ peer: 'down', buffered: 10_000, dropped: 0 });

    await broker.start();
    await expect.poll(() => far.unique(), { timeout: 120_000, interval: 250 }).toBe(10_000);
    expect(far.repeats()).toBe(0);
    await expect.poll(async () => (await status(site)).buffer.messages, { timeout: 10_000 }).toBe(0);
    const s = await status(site);
    expect(s).toMatchObject({ dropped: 0, sent: 10_000 });
    const reported = (await events(site)).map((e) => e.event);
    expect(reported).toContain('peer-down');
    expect(reported.lastIndexOf('peer-up')).toBeGreaterThan(reported.indexOf('peer-down'));
  }, 240_000);

  it('outbound - with QoS 2, a link cut mid-flight delivers each of 10,000 messages exactly once', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.cleanup());
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: broker.port });
    cleanups.push(() => proxy.close());
    const far = await farSubscriber(broker, 'factory/#', 2);
    const site = await bridgeSite('out2', `mqtt://127.0.0.1:${proxy.port}`, '[{ topic: "alerts/#", direction: out, qos: 2, localPrefix: "plant/", remotePrefix: "factory/p1/" }]');
    await expect.poll(async () => (await status(site)).peer.connected, { timeout: 20_000 }).toBe(true);

    const publishing = publishOnSite(site.nc, 10_000, (i) => `plant.alerts.m${i % 10}`, 50);
    await expect.poll(() => far.unique(), { timeout: 60_000, interval: 20 }).toBeGreaterThan(1_000);
    proxy.freeze();
    await new Promise((r) => setTimeout(r, 300));
    proxy.thaw({ reset: true });
    await publishing;
    await expect.poll(() => far.unique(), { timeout: 120_000, interval: 250 }).toBe(10_000);
    await expect.poll(async () => (await status(site)).buffer.messages, { timeout: 10_000 }).toBe(0);
    expect(far.repeats()).toBe(0);
    expect((await events(site)).map((e) => e.event)).toContain('peer-down');
  }, 240_000);

  it('outbound - the node\u2019s connection to its server cut twice with buffered messages on the way: the remote subscriber gets 5,000 in buffer order, none overtaken', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.cleanup());
    // First arrivals in order: a number that comes after a higher one was overtaken.
    let highest = -1;
    let overtaken = 0;
    const seen = new Set<number>();
    const far = await connectAsync(broker.url, { clientId: 'far-order', protocolVersion: 5, clean: true, reconnectPeriod: 200 });
    cleanups.push(() => far.endAsync(true));
    far.on('message', (_topic, payload) => {
      const i = Number(payload.toString());
      if (seen.has(i)) return;
      seen.add(i);
      if (i < highest) overtaken++;
      highest = Math.max(highest, i);
    });
    await far.subscribeAsync('factory/#', { qos: 1 });
    let proxy!: Awaited<ReturnType<typeof startTcpProxy>>;
    // An ack wait far beyond the test's patience: what the cuts lose must come again at once, not after it.
    const site = await bridgeSite('out3', broker.url, '[{ topic: "alerts/#", direction: out, qos: 1, localPrefix: "plant/", remotePrefix: "factory/p1/" }]\n        ackWaitS: 3600', '', async (port) => {
      proxy = await startTcpProxy({ host: '127.0.0.1', port });
      cleanups.push(() => proxy.close());
      return proxy.port;
    });
    await expect.poll(async () => (await status(site)).peer.connected, { timeout: 20_000 }).toBe(true);
    const N = 5_000;
    const publishing = publishOnSite(site.nc, N, () => 'plant.alerts.seq', 50);
    for (const above of [1_000, 3_000]) {
      await expect.poll(() => seen.size, { timeout: 60_000, interval: 10 }).toBeGreaterThan(above);
      proxy.freeze();
      await settle(300);
      proxy.thaw({ reset: true });
    }
    await publishing;
    // Without the pump's checks, the lost deliveries would come again after the ack wait (an hour), behind newer ones.
    await expect.poll(() => seen.size, { timeout: 120_000, interval: 250 }).toBe(N);
    expect(overtaken).toBe(0);
  }, 240_000);

  it('inbound - what the peer publishes reaches the site and its routes; with a both rule nothing circulates, each message is seen once on each side', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.cleanup());
    const far = await farSubscriber(broker, 'factory/#', 1);
    const [mqttPort] = (await freePorts(1)) as [number];
    const site = await bridgeSite(
      'in1',
      broker.url,
      `
          - { topic: "alerts/#", direction: both, qos: 1, localPrefix: "plant/", remotePrefix: "factory/p1/" }
          - { topic: "cmd/#", direction: in, qos: 1, localPrefix: "plant/", remotePrefix: "factory/p1/" }`,
      '',
      undefined,
      mqttPort,
    );
    await expect.poll(async () => (await status(site)).peer.connected, { timeout: 20_000 }).toBe(true);
    // A device on the site subscribed at QoS 1 gets what the bridge brings once, at QoS 1 (the
    // bridge stores it in the site's MQTT store, as a QoS 1 device publish is).
    const onSite = await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'site-device', protocolVersion: 4, reconnectPeriod: 0 });
    cleanups.push(() => onSite.endAsync(true));
    const deviceGot: string[] = [];
    onSite.on('message', (t, p, packet) => void deviceGot.push(`${t}=${p.toString()}@${packet.qos}`));
    await onSite.subscribeAsync('plant/cmd/#', { qos: 1 });
    const local = new Map<string, number>();
    const sub = site.nc.subscribe('plant.>', { callback: (_err, m) => void local.set(m.string(), (local.get(m.string()) ?? 0) + 1) });
    cleanups.push(async () => sub.unsubscribe());
    const farCount = new Map<string, number>();
    far.client.on('message', (_t, p) => void farCount.set(p.toString(), (farCount.get(p.toString()) ?? 0) + 1));

    // A command from the remote side reaches the actor its route names.
    await remotePublish(broker, 'factory/p1/cmd/valve', 'close');
    await expect.poll(() => site.system.ref('commands').ask({ type: 'payloads' } as never, { timeout: 5_000 }), { timeout: 20_000 }).toEqual(['close']);
    await expect.poll(() => deviceGot, { timeout: 10_000 }).toEqual(['plant/cmd/valve=close@1']);

    // Both ways on the same topics: the remote alert comes in and is not sent back; the local one goes out and does not come back.
    await remotePublish(broker, 'factory/p1/alerts/r1', 'from-remote');
    await jetstream(site.nc).publish('plant.alerts.l1', 'from-site');
    await expect.poll(async () => { const s = await status(site); return [s.sent, s.returned]; }, { timeout: 20_000 }).toEqual([1, 1]);
    await settle(1_500);
    expect(Object.fromEntries(local)).toEqual({ close: 1, 'from-remote': 1, 'from-site': 1 });
    expect(Object.fromEntries(farCount)).toEqual({ close: 1, 'from-remote': 1, 'from-site': 1 });
    expect(deviceGot).toEqual(['plant/cmd/valve=close@1']);

    // A topic the site cannot carry is acknowledged to the peer, counted and not brought.
    await remotePublish(broker, 'factory/p1/cmd/v1.2', 'dotted');
    await expect.poll(async () => (await status(site)).refused, { timeout: 20_000 }).toBe(1);
    expect(local.has('dotted')).toBe(false);
  }, 120_000);

  it('buffer - past its limit the oldest outbound messages are dropped, and every one is counted and reported: sent + dropped = published', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.cleanup());
    const far = await farSubscriber(broker, 'factory/#', 1);
    const site = await bridgeSite('drop1', broker.url, '[{ topic: "alerts/#", direction: out, qos: 1, localPrefix: "plant/", remotePrefix: "factory/p1/" }]', '        buffer: { maxMsgs: 100 }');
    await expect.poll(async () => (await status(site)).peer.connected, { timeout: 20_000 }).toBe(true);
    await broker.stop();
    await expect.poll(async () => (await status(site)).peer.connected, { timeout: 20_000 }).toBe(false);
    await publishOnSite(site.nc, 300, (i) => `plant.alerts.m${i}`, 10);
    await expect.poll(async () => (await status(site)).dropped, { timeout: 20_000 }).toBeGreaterThan(0);
    await broker.start();
    await expect.poll(async () => { const s = await status(site); return s.buffer.messages === 0 && far.unique() + s.dropped; }, { timeout: 60_000, interval: 250 }).toBe(300);
    await settle(1_000);
    const s = await status(site);
    expect(far.unique() + s.dropped).toBe(300);
    expect(far.repeats()).toBe(0);
    expect(s.dropped).toBeGreaterThanOrEqual(200 - 2 * 64);
    const dropped = (await events(site)).filter((e) => e.event === 'dropped');
    expect(dropped.reduce((n, e) => n + (e.count ?? 0), 0)).toBe(s.dropped);
    expect(dropped[0]).toMatchObject({ code: 'CAIRN_BRIDGE_DROPPED', bridge: 'drop1/bridge' });
  }, 120_000);

  it('inbound - a new revision with other in rules unsubscribes the old filters from the session the peer kept, and subscribes the new ones', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.cleanup());
    const site = await bridgeSite('in2', broker.url, '[{ topic: "cmd/#", direction: in, localPrefix: "plant/", remotePrefix: "old/" }]');
    await expect.poll(async () => (await status(site)).peer.connected, { timeout: 20_000 }).toBe(true);
    await remotePublish(broker, 'old/cmd/a', 'first');
    await expect.poll(() => site.system.ref('commands').ask({ type: 'payloads' } as never, { timeout: 5_000 }), { timeout: 20_000 }).toEqual(['first']);

    await applyManifest(jetstream(site.nc), uplinkManifest(broker.url, '[{ topic: "cmd/#", direction: in, localPrefix: "plant/", remotePrefix: "new/" }]'));
    // The new incarnation is connected once a message under the new prefix comes in.
    await expect.poll(async () => (await remotePublish(broker, 'new/cmd/b', 'probe'), site.system.ref('commands').ask({ type: 'payloads' } as never, { timeout: 5_000 }) as Promise<string[]>), { timeout: 30_000, interval: 1_000 }).toContain('probe');
    await remotePublish(broker, 'old/cmd/c', 'stale');
    await remotePublish(broker, 'new/cmd/d', 'last');
    await expect.poll(async () => ((await site.system.ref('commands').ask({ type: 'payloads' } as never, { timeout: 5_000 })) as string[]).at(-1), { timeout: 20_000 }).toBe('last');
    expect(await site.system.ref('commands').ask({ type: 'payloads' } as never, { timeout: 5_000 })).not.toContain('stale');
  }, 120_000);
});
