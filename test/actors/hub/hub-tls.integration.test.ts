// A hub's TLS listeners on the embedded site: MQTT over TLS that requires a device certificate of
// the site's CA (and still a principal's login), and secure WebSocket. Devices with the right
// certificate publish to a routed actor and get the hub's messages; an unknown certificate, none,
// or plain MQTT on the TLS port are refused.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { connect as mqttConnect, connectAsync } from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyManifest } from '../../../control-plane/index.ts';
import { startEmbeddedSite } from '../../../deploy/embedded/index.ts';
import type { EmbeddedSite } from '../../../deploy/embedded/index.ts';
import { freePorts } from '../../../deploy/nats-server/index.ts';
import { makeTestCerts } from '../../helpers/certs.ts';
import type { TestCerts } from '../../helpers/certs.ts';
import { untilRoutesCapture } from '../../helpers/routes-capture.ts';

const HUB_FIXTURES = fileURLToPath(new URL('../../fixtures/hub/', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
let certs: TestCerts;
let site: EmbeddedSite;
let tlsPort: number;
let wssPort: number;

beforeAll(async () => {
  certs = await makeTestCerts();
  cleanups.push(() => rm(certs.dir, { recursive: true, force: true }));
  const dir = await mkdtemp(join(tmpdir(), 'cairn-hub-tls-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  [tlsPort, wssPort] = (await freePorts(2)) as [number, number];
  site = await startEmbeddedSite({ dataDir: join(dir, '.cairn'), example: 'none', appDir: HUB_FIXTURES });
  cleanups.push(() => site.stop());
  const nc = await connect({ servers: site.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  cleanups.push(() => nc.close());
  await applyManifest(
    jetstream(nc),
    `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: secure }
spec:
  actors:
    - id: hub
      module: cairn/hub
      config:
        listeners:
          mqtt: { port: ${tlsPort}, host: 127.0.0.1, tls: { cert: "${certs.serverCert}", key: "${certs.serverKey}", ca: "${certs.ca}", verify: true } }
          websocket: { port: ${wssPort}, host: 127.0.0.1, tls: { cert: "${certs.serverCert}", key: "${certs.serverKey}" } }
        principals: [{ username: dev, password: pw, publish: ["plant/#"], subscribe: ["cmd/#"] }]
    - { id: seen, behaviour: { module: ./device-events.ts, export: Seen } }
  routes:
    - { from: { mqtt: "plant/#" }, to: { actor: seen } }
`,
  );
  // The routes capture once the application has started (the hub's listener opens a little before).
  await untilRoutesCapture(nc, 'CAIRN_RT_local_secure');
}, 60_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const withCert = (cert: string, key: string): IClientOptions => ({ ca: readFileSync(certs.ca), cert: readFileSync(cert), key: readFileSync(key) });
const attempt = (url: string, clientId: string, opts: IClientOptions): Promise<MqttClient> =>
  connectAsync(url, { clientId, username: 'dev', password: 'pw', protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...opts }).then((c) => {
    cleanups.push(() => c.endAsync(true));
    return c;
  });
/** Connects once the listener is up (it comes with a server restart after the apply). */
async function device(url: string, clientId: string, opts: IClientOptions): Promise<MqttClient> {
  for (let i = 0; ; i++) {
    try {
      return await attempt(url, clientId, opts);
    } catch (err) {
      if (i > 200) throw err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}
const seen = (): Promise<{ subject: string; text: string }[]> => site.system.ref('seen').ask({ type: 'seen' } as never, { timeout: 5_000 }) as Promise<{ subject: string; text: string }[]>;
/** 'connected', or why not: an error, or no CONNACK within 8 s (MQTT.js may wait on a TLS alert). */
async function refusal(url: string, clientId: string, opts: IClientOptions): Promise<string> {
  const c = mqttConnect(url, { clientId, username: 'dev', password: 'pw', protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
  try {
    return await new Promise<string>((resolve) => {
      c.once('connect', () => resolve('connected'));
      c.once('error', (err) => resolve(err.message || err.name));
      c.once('close', () => resolve('closed'));
      setTimeout(() => resolve('no connection within 8 s'), 8_000);
    });
  } finally {
    await c.endAsync(true).catch(() => undefined);
  }
}

it('hub tls - a device with a certificate of the site CA and a principal login publishes over TLS to its routed actor, and gets the hub messages', async () => {
  const d = await device(`mqtts://127.0.0.1:${tlsPort}`, 'tls-1', withCert(certs.clientCert, certs.clientKey));
  const got: string[] = [];
  d.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
  await d.subscribeAsync('cmd/#', { qos: 1 });
  await d.publishAsync('plant/t1/temp', 'over-tls', { qos: 1 });
  await expect.poll(async () => (await seen()).map((s) => s.text), { timeout: 20_000 }).toContain('over-tls');
  // The hub reaches the TLS listener too, presenting the listener's own certificate.
  await expect.poll(() => site.system.ref('hub').ask({ type: 'publish', topic: 'cmd/t1/go', payload: 'now', qos: 1 } as never, { timeout: 5_000 }).then(() => true, () => false), { timeout: 30_000, interval: 500 }).toBe(true);
  await expect.poll(() => got, { timeout: 10_000 }).toContain('cmd/t1/go now');
}, 60_000);

it('hub tls - a device certificate of another CA, none at all, or plain MQTT on the TLS port is refused', async () => {
  await device(`mqtts://127.0.0.1:${tlsPort}`, 'tls-ok', withCert(certs.clientCert, certs.clientKey));
  expect(await refusal(`mqtts://127.0.0.1:${tlsPort}`, 'tls-rogue', withCert(certs.rogueCert, certs.rogueKey))).not.toBe('connected');
  expect(await refusal(`mqtts://127.0.0.1:${tlsPort}`, 'tls-none', { ca: readFileSync(certs.ca) })).not.toBe('connected');
  expect(await refusal(`mqtt://127.0.0.1:${tlsPort}`, 'tls-plain', {})).not.toBe('connected');
}, 60_000);

it('hub tls - secure WebSocket: a device trusting the site CA logs in and publishes; one that does not trust it is refused', async () => {
  const d = await device(`wss://127.0.0.1:${wssPort}/mqtt`, 'wss-1', { ca: readFileSync(certs.ca) });
  await d.publishAsync('plant/w1/temp', 'over-wss', { qos: 1 });
  await expect.poll(async () => (await seen()).map((s) => s.text), { timeout: 20_000 }).toContain('over-wss');
  expect(await refusal(`wss://127.0.0.1:${wssPort}/mqtt`, 'wss-untrusting', {})).not.toBe('connected');
}, 60_000);
