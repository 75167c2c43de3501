// Device messages through the hub's site are durable: QoS 1 publishes captured on the site reach
// the routed actor once, whether its node is down while they are sent or killed with -9 while
// devices publish (the site's server keeps running).
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { applyManifest, startAppController } from '../../../control-plane/index.ts';
import { freePorts, withDeviceAccess } from '../../../deploy/nats-server/index.ts';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import { ActorNode } from '../../../kernel/index.ts';
import { Streams } from '../../../protocols/index.ts';
import type { ActorEvent } from '../../../protocols/index.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TallyCounts } from '../../fixtures/hub/device-tally.ts';

const HUB_FIXTURES = fileURLToPath(new URL('../../fixtures/hub/', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const device = async (port: number, clientId: string): Promise<MqttClient> => {
  const c = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, username: 'dev', password: 'pw', protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 10_000 });
  cleanups.push(() => c.endAsync(true));
  return c;
};

/** A server whose MQTT listener lets user `dev` (password `pw`) publish under `meter/`, and a client of it. */
async function meterServer(): Promise<{ server: Awaited<ReturnType<typeof startTestServer>>; nc: Awaited<ReturnType<typeof connect>>; mqttPort: number }> {
  const [mqttPort] = (await freePorts(1)) as [number];
  const server = await startTestServer({
    extra: withDeviceAccess({}, [{ actor: 'hub', mqtt: { port: mqttPort, host: '127.0.0.1' }, principals: [{ username: 'dev', password: 'pw', publish: ['meter/#'], subscribe: [] }] }], 'x'),
  });
  cleanups.push(() => server.cleanup());
  const nc = await connect({ servers: server.url });
  cleanups.push(() => nc.close());
  return { server, nc, mqttPort };
}

/** Application `meters`: one actor of `export` (in `module`), routed what devices publish under `meter/`. */
const metersApp = (module: string, exported: string, actor: string): string => `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: meters }
spec:
  actors:
    - { id: ${actor}, behaviour: { module: ${module}, export: ${exported} } }
  routes:
    - { from: { mqtt: "meter/#" }, to: { actor: ${actor} } }
`;

describe('hub uplink', () => {
  it('uplink - 10,000 QoS 1 publishes made while the routed actor\u2019s node is down are each handled once after it comes back', async () => {
    const { server, nc, mqttPort } = await meterServer();
    const startNode = async () => {
      const system = await createActorSystem({ servers: server.url, site: 'meters', node: 'meters-n1' });
      const controller = await startAppController({ system, appDir: HUB_FIXTURES });
      return { system, stop: async () => (await controller.stop(), await system.shutdown()) };
    };
    let node = await startNode();
    await applyManifest(jetstream(nc), metersApp('./device-tally.ts', 'DeviceTally', 'tally'));
    const jsm = await jetstreamManager(nc);
    await expect.poll(() => jsm.streams.info(Streams.routes('meters', 'meters')).then(() => true, () => false), { timeout: 20_000 }).toBe(true);
    await node.stop();

    // One QoS 1 connection waits for each store: ten devices publish side by side.
    const DEVICES = 10;
    const EACH = 1_000;
    await Promise.all(
      Array.from({ length: DEVICES }, async (_, d) => {
        const dev = await device(mqttPort, `meter-${d}`);
        for (let n = 0; n < EACH; n++) await dev.publishAsync(`meter/${d}/kwh`, `${d}-${n}`, { qos: 1 });
      }),
    );
    expect((await jsm.streams.info(Streams.routes('meters', 'meters'))).state.messages).toBe(DEVICES * EACH);

    node = await startNode();
    cleanups.push(() => node.stop());
    await expect.poll(() => node.system.ref('tally').ask({ type: 'counts' } as never, { timeout: 5_000 }) as Promise<TallyCounts>, { timeout: 120_000, interval: 500 }).toEqual({ unique: DEVICES * EACH, repeats: 0 });
  }, 240_000);

  it('uplink - a capture stream that its actor does not drain raises a filling event at 80 %, before it drops anything', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.cleanup());
    const nc = await connect({ servers: server.url });
    cleanups.push(() => nc.close());
    // The site's mailbox refuses a fourth waiting message: the forwarder waits, and captures pile up.
    const system = await createActorSystem({ servers: server.url, site: 'fill', node: 'fill-n1', mailbox: { capacity: 3 } });
    const events: ActorEvent[] = [];
    system.onEvent((e) => void (e.type === 'filling' && events.push(e)));
    const controller = await startAppController({ system, appDir: HUB_FIXTURES, routeCapture: { maxMsgs: 100 }, fillCheckMs: 100 });
    cleanups.push(async () => (await controller.stop(), await system.shutdown()));
    await applyManifest(jetstream(nc), `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: fill }
spec:
  actors:
    - { id: stuck, behaviour: { module: ./device-tally.ts, export: Stuck } }
  routes:
    - { from: { subject: "fill.>" }, to: { actor: stuck } }
`);
    const jsm = await jetstreamManager(nc);
    const stream = Streams.routes('fill', 'fill');
    await expect.poll(() => jsm.streams.info(stream).then(() => true, () => false), { timeout: 20_000 }).toBe(true);
    for (let i = 0; i < 70; i++) nc.publish(`fill.${i}`, String(i));
    await nc.flush();
    // Below 80 %: nothing yet.
    await new Promise((r) => setTimeout(r, 500));
    expect(events).toEqual([]);
    for (let i = 70; i < 90; i++) nc.publish(`fill.${i}`, String(i));
    await nc.flush();
    await expect.poll(() => events.length, { timeout: 10_000 }).toBe(1);
    expect(events[0]).toMatchObject({ type: 'filling', actor: 'stuck', stream, limit: 'messages', code: 'CAIRN_ROUTE_CAPTURE_FILLING' });
    expect((events[0] as { used: number }).used).toBeGreaterThanOrEqual(0.8);
    // Raised before anything was dropped: all 90 are still captured or were forwarded.
    const info = await jsm.streams.info(stream);
    expect(info.state.messages).toBeLessThan(100);
    expect(info.state.last_seq).toBe(90);
  }, 60_000);

  it('uplink - kill -9 of the node while devices publish QoS 1 loses none of the PUBACKed messages, and handles none twice', async () => {
    const site = 'meters-kill';
    const { server, nc, mqttPort } = await meterServer();
    // The site's only node, in a process of its own (test/fixtures/routes/route-node.ts).
    const startNode = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/routes/route-node.ts', server.url, site], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CAIRN_LOG_LEVEL: 'error' } });
      cleanups.push(async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGKILL');
        await once(child, 'exit');
      });
      for await (const line of createInterface({ input: child.stdout! })) if (line === 'ready') break;
      return child;
    };
    let node = await startNode();
    await applyManifest(jetstream(nc), metersApp('./route-actors.ts', 'RouteLedger', 'ledger'));
    const jsm = await jetstreamManager(nc);
    const stream = Streams.routes(site, 'meters');
    await expect.poll(() => jsm.streams.info(stream).then(() => true, () => false), { timeout: 20_000 }).toBe(true);

    // Four devices publish 500 each, paced, and the node is killed while they do.
    const acked: string[] = [];
    const publishing = Array.from({ length: 4 }, async (_, d) => {
      const dev = await device(mqttPort, `meter-${d}`);
      for (let n = 0; n < 500; n++) {
        await dev.publishAsync(`meter/${d}/kwh`, `${d}-${n}`, { qos: 1 });
        acked.push(`${d}-${n}`);
        await new Promise((r) => setTimeout(r, 2));
      }
    });
    await expect.poll(() => acked.length, { timeout: 30_000, interval: 5 }).toBeGreaterThanOrEqual(300);
    node.kill('SIGKILL');
    await once(node, 'exit');
    const atKill = acked.length;
    node = await startNode();
    await Promise.all(publishing);
    // The kill came mid-stream: devices went on publishing while no node ran.
    expect(atKill).toBeLessThan(2_000);
    expect(acked).toHaveLength(2_000);

    const client = await ActorNode.connect({ servers: server.url, site, node: 'meters-kill-client' });
    cleanups.push(() => client.stop());
    const applied = (): Promise<Record<string, number>> => client.ref('ledger').ask({ type: 'applied' } as never, { timeout: 30_000 }) as Promise<Record<string, number>>;
    // Every acknowledged payload handled exactly once (a missing one is listed with 0, a repeat with its count).
    const wrong = async (): Promise<Record<string, number>> => {
      const a = await applied();
      return Object.fromEntries(acked.filter((p) => a[p] !== 1).map((p) => [p, a[p] ?? 0]));
    };
    await expect.poll(wrong, { timeout: 90_000, interval: 500 }).toEqual({});
    expect(Object.entries(await applied()).filter(([, c]) => c !== 1)).toEqual([]);
  }, 240_000);
});
