// cairn/hub end to end on the embedded site: a manifest's hub gives the site's own nats-server an
// MQTT listener and device principals; devices log in, publish and subscribe within their topics;
// what the server refuses them is counted by the hub; principals change by reload, listeners by
// restart; deleting the app takes the listener away.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { connectAsync } from 'mqtt';
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
  nc = await connect({ servers: site.url });
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  await nc?.close();
  await site?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('cairn/hub', () => {
  it('hub - a manifest hub opens the MQTT listener; a principal publishes within its topics to a routed actor; wrong, missing and out-of-bounds logins and topics are refused and counted', async () => {
    await applyManifest(jetstream(nc), manifest(), 'plant.yaml');
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
    await applyManifest(jetstream(nc), manifest(SENSOR_3), 'plant.yaml');
    await expect.poll(() => refusal('s3', { username: 'sensor-3', password: 's3cret-3' }), { timeout: 30_000, interval: 250 }).toBe('connected');
    const s3 = clients[clients.length - 1]!;
    await s3.publishAsync('plant/s3/temp', '19.0', { qos: 1 });
    await expect.poll(() => ask<Record<string, string>>('readings', { type: 'latest' }), { timeout: 15_000 }).toEqual({ s1: '21.5', s3: '19.0' });
    // A reload, not a restart: the first device never lost its connection.
    expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('open'), 200))])).toBe('open');
    expect(site.natsPid).toBe(pid);
  }, 90_000);

  it('hub - deleting the application takes its listener and principals off the server', async () => {
    await deleteApp(jetstream(nc), 'plant');
    await expect.poll(() => refusal('late', { username: 'sensor-1', password: 's3cret-1' }), { timeout: 30_000, interval: 250 }).toMatch(/ECONNREFUSED/);
    // The site's own clients connect as before.
    const again = await connect({ servers: site.url });
    await again.close();
  }, 60_000);
});
