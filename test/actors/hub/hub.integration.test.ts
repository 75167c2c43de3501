// cairn/hub end to end on the embedded site: a manifest's hub gives the site's own nats-server an
// MQTT listener and device principals; devices log in, publish and subscribe within their topics;
// what the server refuses them is counted by the hub; principals change by reload, listeners by
// restart; deleting the app takes the listener away.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { connect as mqttConnect, connectAsync } from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest, deleteApp } from '../../../control-plane/index.ts';
import { startEmbeddedSite } from '../../../deploy/embedded/index.ts';
import type { EmbeddedSite } from '../../../deploy/embedded/index.ts';
import { freePorts } from '../../../deploy/nats-server/index.ts';
import type { HubStatus } from '../../../actors/index.ts';

const APP_DIR = fileURLToPath(new URL('../../../examples/hub/', import.meta.url));
const EXAMPLE = readFileSync(join(APP_DIR, 'plant.yaml'), 'utf8');

let dir: string;
let site: EmbeddedSite;
let nc: NatsConnection;
let mqttPort: number;
const clients: MqttClient[] = [];

/** examples/hub/plant.yaml as written, on a free port; `more` adds principals. */
const manifest = (more = ''): string => {
  const text = EXAMPLE.replace('mqtt: { port: 1883 }', `mqtt: { port: ${mqttPort}, host: 127.0.0.1 }`);
  const last = '          - { username: sensor-2, password: s3cret-2, publish: ["plant/s2/#"], subscribe: ["cmd/s2/#"] }\n';
  if (!text.includes(last)) throw new Error('examples/hub/plant.yaml changed: update this test');
  return text.replace(last, last + more);
};
const SENSOR_3 = '          - { username: sensor-3, password: s3cret-3, publish: ["plant/s3/#"] }\n';

const device = async (clientId: string, opts: IClientOptions = {}): Promise<MqttClient> => {
  const c = await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId, protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
  clients.push(c);
  return c;
};
const refusal = (clientId: string, opts: IClientOptions = {}): Promise<string> => device(clientId, opts).then(() => 'connected', (err: Error) => err.message);
const ask = <T>(actor: string, msg: object): Promise<T> => site.system.ref(actor).ask(msg as never, { timeout: 5_000 }) as Promise<T>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-hub-'));
  [mqttPort] = (await freePorts(1)) as [number];
  site = await startEmbeddedSite({ dataDir: join(dir, '.cairn'), example: 'none', appDir: APP_DIR });
  nc = await connect({ servers: site.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  await nc?.close();
  await site?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('cairn/hub', () => {
  it('hub - a manifest hub opens the MQTT listener; a principal publishes within its topics to a routed actor; wrong, missing and out-of-bounds logins and topics are refused and counted', async () => {
    await applyManifest(jetstream(nc, { timeout: 30_000 }), manifest(), 'plant.yaml');
    // The server restarts with the listener (nats-server cannot add one by reload).
    await expect.poll(() => refusal('probe', { username: 'sensor-1', password: 's3cret-1' }), { timeout: 30_000, interval: 250 }).toBe('connected');

    const sensor = await device('s1', { username: 'sensor-1', password: 's3cret-1' });
    await sensor.publishAsync('plant/s1/temp', '21.5', { qos: 1 });
    // Outside its topics: the server acknowledges (MQTT has no way to say no) and drops it.
    await sensor.publishAsync('plant/s2/temp', 'forged', { qos: 1 });
    await expect(sensor.subscribeAsync('cmd/s2/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    expect((await sensor.subscribeAsync('cmd/s1/#', { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    expect(await refusal('intruder', { username: 'sensor-1', password: 'wrong' })).toMatch(/Not authorized/);
    expect(await refusal('anonymous')).toMatch(/Not authorized/);

    await expect.poll(() => ask<Record<string, string>>('readings', { type: 'latest' }), { timeout: 15_000 }).toEqual({ s1: '21.5' });
    await expect.poll(async () => (await ask<HubStatus>('hub', { type: 'status' })).incidents, { timeout: 15_000 }).toEqual({ 'login-refused': 2, 'publish-denied': 1, 'subscribe-denied': 1 });
    const status = await ask<HubStatus>('hub', { type: 'status' });
    expect(status.principals).toEqual(['sensor-1', 'sensor-2']);
    expect(status.recent.map((i) => [i.kind, i.client, i.subject ?? i.user ?? null])).toEqual([
      ['publish-denied', 's1', 'plant.s2.temp'],
      ['subscribe-denied', 's1', 'cmd.s2.>'],
      ['login-refused', 'intruder', 'sensor-1'],
      ['login-refused', 'anonymous', null],
    ]);
    // Nothing forged reached the actor.
    expect(await ask<Record<string, string>>('readings', { type: 'latest' })).toEqual({ s1: '21.5' });
  }, 90_000);

  it('hub - a principal added by a new revision logs in after a reload: the server and connected devices stay up', async () => {
    const pid = site.natsPid;
    const connected = await device('s1-stays', { username: 'sensor-1', password: 's3cret-1' });
    const closed = new Promise<string>((resolve) => connected.once('close', () => resolve('closed')));
    await applyManifest(jetstream(nc, { timeout: 30_000 }), manifest(SENSOR_3), 'plant.yaml');
    await expect.poll(() => refusal('s3', { username: 'sensor-3', password: 's3cret-3' }), { timeout: 30_000, interval: 250 }).toBe('connected');
    const s3 = clients[clients.length - 1]!;
    await s3.publishAsync('plant/s3/temp', '19.0', { qos: 1 });
    await expect.poll(() => ask<Record<string, string>>('readings', { type: 'latest' }), { timeout: 15_000 }).toEqual({ s1: '21.5', s3: '19.0' });
    // A reload, not a restart: the first device never lost its connection.
    expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('open'), 200))])).toBe('open');
    expect(site.natsPid).toBe(pid);
  }, 90_000);

  it('hub - downlink: QoS 1 reaches a persistent session that was offline when it was sent, QoS 0 a connected device, a retained message a later subscriber; a topic no device may get is refused', async () => {
    // A device with a persistent session subscribes, then goes offline.
    const opts = { username: 'sensor-1', password: 's3cret-1', clean: false } as const;
    const offline = await device('s1-persistent', opts);
    await offline.subscribeAsync('cmd/s1/#', { qos: 1 });
    await offline.endAsync();

    const hub = site.system.ref('hub');
    // The process running the server tells the hub its MQTT login shortly after the hub starts.
    await expect.poll(() => hub.ask({ type: 'publish', topic: 'cmd/s1/valve', payload: 'close', qos: 1 } as never, { timeout: 20_000 }).then((r) => r, (err: Error) => err.message), { timeout: 30_000, interval: 500 }).toEqual({ topic: 'cmd/s1/valve', qos: 1 });
    // The stored message follows the CONNACK at once: listen before connecting.
    const back = mqttConnect(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 's1-persistent', protocolVersion: 4, reconnectPeriod: 0, ...opts });
    clients.push(back);
    const [topic, payload] = await new Promise<[string, string]>((resolve) => back.once('message', (t, p) => resolve([t, p.toString()])));
    expect([topic, payload]).toEqual(['cmd/s1/valve', 'close']);

    const s2 = await device('s2-live', { username: 'sensor-2', password: 's3cret-2' });
    await s2.subscribeAsync('cmd/s2/#', { qos: 0 });
    const live = new Promise<string>((resolve) => s2.once('message', (t, p) => resolve(`${t}=${p.toString()}`)));
    await hub.ask({ type: 'publish', topic: 'cmd/s2/led', payload: 'on' } as never);
    expect(await live).toBe('cmd/s2/led=on');

    await hub.ask({ type: 'publish', topic: 'cmd/s2/config', payload: 'v2', qos: 1, retain: true } as never);
    const later = await device('s2-later', { username: 'sensor-2', password: 's3cret-2' });
    const retained = new Promise<string>((resolve) => later.on('message', (t, p, packet) => t === 'cmd/s2/config' && resolve(`${p.toString()} retain=${String(packet.retain)}`)));
    await later.subscribeAsync('cmd/s2/config', { qos: 1 });
    expect(await retained).toBe('v2 retain=true');

    await expect(hub.ask({ type: 'publish', topic: 'plant/s1/temp', payload: 'x' } as never, { timeout: 30_000 })).rejects.toThrow(/CAIRN_HUB_TOPIC_REFUSED|no principal may subscribe/);
    await expect(hub.ask({ type: 'publish', topic: 'cmd/s1/valve' } as never, { timeout: 30_000 })).rejects.toThrow(/CAIRN_HUB_MESSAGE_INVALID|payload must be a string or bytes/);
    const status = await ask<HubStatus>('hub', { type: 'status' });
    expect(status.downlink).toEqual({ url: `mqtt://127.0.0.1:${mqttPort}`, connected: true });
    expect(status.published).toBe(3);
  }, 90_000);

  it('hub - deleting the application takes its listener and principals off the server', async () => {
    await deleteApp(jetstream(nc, { timeout: 30_000 }), 'plant');
    // The server restarts without the listener and the users.
    await expect.poll(() => readFile(site.configPath, 'utf8'), { timeout: 30_000, interval: 250 }).not.toMatch(/mqtt|cairn-site/);
    await expect.poll(() => refusal('late', { username: 'sensor-1', password: 's3cret-1' }), { timeout: 30_000, interval: 250 }).toMatch(/ECONNREFUSED/);
    // The site's own clients connect as before, once it is back.
    const again = await connect({ servers: site.url, waitOnFirstConnect: true, timeout: 20_000 });
    await again.close();
  }, 60_000);
});
