// Certificate principals on the embedded site: an MQTT listener with tls.map logs each device in
// as the principal its certificate's subject names (nats-server's verify_and_map), with that
// principal's topics; a certificate of the site CA for a subject no principal names, or one of
// another CA, is refused. The hub logs in there with the listener's own certificate. Run with openssl-made
// certificates and with those `cairn site init` and `cairn site cert` make.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import { connect as mqttConnect, connectAsync } from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { applyManifest } from '../../../control-plane/index.ts';
import { runCli } from '../../../deploy/cli/index.ts';
import type { HubStatus } from '../../../actors/index.ts';
import { makeTestCerts } from '../../helpers/certs.ts';
import { untilRoutesCapture } from '../../helpers/routes-capture.ts';
import { startHubSite } from '../../helpers/hub-site.ts';
import { startEmbeddedSite } from '../../../deploy/embedded/index.ts';
import { captureIo } from '../../deploy/cli/cli-harness.ts';

const HUB_FIXTURES = fileURLToPath(new URL('../../fixtures/hub/', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** 'connected', or why not (an error, a close, or no CONNACK within 8 s). */
async function outcome(url: string, clientId: string, opts: IClientOptions): Promise<string> {
  const c = mqttConnect(url, { clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
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

/** What a scenario needs: a listener's files and three devices', all by path. */
interface Certs {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** The subject of `client`, as the principal names it. */
  readonly subject: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly strangerCert: string;
  readonly strangerKey: string;
  readonly rogueCert: string;
  readonly rogueKey: string;
}

it('certificate principals - a device logs in by its certificate alone and publishes within its topics; an unnamed subject or another CA is refused; the hub reaches it', async () => {
  const certs = await makeTestCerts();
  cleanups.push(() => rm(certs.dir, { recursive: true, force: true }));
  await certificateLogin({ ...certs, subject: 'CN=sensor-1' });
}, 120_000);

it('certificate principals - with the CA and server certificate `cairn site init` made and device certificates `cairn site cert` issued', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-site-certs-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'sites.yaml'), 'apiVersion: cairn.dev/v1\nkind: Sites\ncloud: { port: 4222 }\nedges:\n  - { name: plant1, port: 4223 }\n');
  const cli = async (...args: string[]): Promise<string> => {
    const io = captureIo();
    expect(await runCli(args, io), io.stderr.join('\n')).toBe(0);
    return io.stdout.join('\n');
  };
  const sites = join(dir, 'sites');
  await cli('site', 'init', '-f', join(dir, 'sites.yaml'), '--data-dir', sites);
  // Two parts: nats-server prints a subject last part first, so the order written must match.
  const issued = await cli('site', 'cert', 'plant1', '--subject', 'CN=sensor-1,O=plant', '--data-dir', sites);
  expect(issued).toContain('- { certificate: "CN=sensor-1,O=plant"');
  await cli('site', 'cert', 'plant1', '--subject', 'CN=stranger,O=plant', '--data-dir', sites);
  // The same subject from another site's CA.
  await cli('site', 'cert', 'cloud', '--subject', 'CN=sensor-1,O=plant', '--data-dir', sites);
  const tls = (site: string, file: string): string => join(sites, site, 'tls', file);
  await certificateLogin({
    ca: tls('plant1', 'ca.pem'),
    serverCert: tls('plant1', 'server.pem'),
    serverKey: tls('plant1', 'server-key.pem'),
    subject: 'CN=sensor-1,O=plant',
    clientCert: tls('plant1', 'devices/sensor-1.plant.pem'),
    clientKey: tls('plant1', 'devices/sensor-1.plant-key.pem'),
    strangerCert: tls('plant1', 'devices/stranger.plant.pem'),
    strangerKey: tls('plant1', 'devices/stranger.plant-key.pem'),
    rogueCert: tls('cloud', 'devices/sensor-1.plant.pem'),
    rogueKey: tls('cloud', 'devices/sensor-1.plant-key.pem'),
  });
}, 120_000);

async function certificateLogin(certs: Certs): Promise<void> {
  const { site, nc, port } = await startHubSite(HUB_FIXTURES, cleanups);
  await applyManifest(
    jetstream(nc),
    `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: certs }
spec:
  actors:
    - id: hub
      module: cairn/hub
      config:
        listeners:
          mqtt: { port: ${port}, host: 127.0.0.1, tls: { cert: "${certs.serverCert}", key: "${certs.serverKey}", ca: "${certs.ca}", map: true } }
        principals: [{ certificate: "${certs.subject}", publish: ["plant/s1/#"], subscribe: ["cmd/s1/#"] }]
    - { id: seen, behaviour: { module: ./device-events.ts, export: Seen } }
  routes:
    - { from: { mqtt: "plant/#" }, to: { actor: seen } }
`,
  );
  // The routes capture once the application has started (the hub's listener opens a little before).
  await untilRoutesCapture(nc, 'CAIRN_RT_local_certs');
  const url = `mqtts://127.0.0.1:${port}`;
  const tls = (cert: string, key: string): IClientOptions => ({ ca: readFileSync(certs.ca), cert: readFileSync(cert), key: readFileSync(key) });
  let device: MqttClient | undefined;
  for (let i = 0; !device; i++) {
    device = await connectAsync(url, { clientId: 's1', protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...tls(certs.clientCert, certs.clientKey) }).catch((err: unknown) => {
      if (i > 200) throw err;
      return new Promise<undefined>((r) => setTimeout(() => r(undefined), 150));
    });
  }
  const dev = device;
  cleanups.push(() => dev.endAsync(true));
  const got: string[] = [];
  dev.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
  await dev.subscribeAsync('cmd/s1/#', { qos: 1 });
  await dev.publishAsync('plant/s1/temp', 'by-certificate', { qos: 1 });
  // Outside its topics: acknowledged by the server and dropped, as for a password principal.
  await dev.publishAsync('plant/s2/temp', 'not-mine', { qos: 1 });
  const seen = (): Promise<{ text: string }[]> => site.system.ref('seen').ask({ type: 'seen' } as never, { timeout: 5_000 }) as Promise<{ text: string }[]>;
  await expect.poll(async () => (await seen()).map((s) => s.text), { timeout: 20_000 }).toEqual(['by-certificate']);
  const status = (await site.system.ref('hub').ask({ type: 'status' } as never, { timeout: 5_000 })) as HubStatus;
  expect(status.principals).toEqual([certs.subject]);

  expect(await outcome(url, 'stranger', tls(certs.strangerCert, certs.strangerKey))).not.toBe('connected');
  expect(await outcome(url, 'rogue', tls(certs.rogueCert, certs.rogueKey))).not.toBe('connected');
  expect(await outcome(url, 'password', { ca: readFileSync(certs.ca), username: 'sensor-1', password: 'x' })).not.toBe('connected');

  await expect.poll(() => site.system.ref('hub').ask({ type: 'publish', topic: 'cmd/s1/fan', payload: 'on', qos: 1 } as never, { timeout: 5_000 }).then(() => true, () => false), { timeout: 30_000, interval: 500 }).toBe(true);
  await expect.poll(() => got, { timeout: 10_000 }).toEqual(['cmd/s1/fan on']);
}

it('certificate principals - a listener certificate for server use only: the hub says it cannot log in, and messages to devices fail with that code', async () => {
  const certs = await makeTestCerts();
  cleanups.push(() => rm(certs.dir, { recursive: true, force: true }));
  const { site: first, nc, port, dataDir } = await startHubSite(HUB_FIXTURES, cleanups);
  let site = first;
  await applyManifest(
    jetstream(nc),
    `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: server-only }
spec:
  actors:
    - id: hub
      module: cairn/hub
      config:
        listeners:
          mqtt: { port: ${port}, host: 127.0.0.1, tls: { cert: "${certs.serverOnlyCert}", key: "${certs.serverOnlyKey}", ca: "${certs.ca}", map: true } }
        principals: [{ certificate: "CN=sensor-1", publish: ["plant/s1/#"], subscribe: ["cmd/s1/#"] }]
`,
  );
  const status = async (): Promise<HubStatus | undefined> => (await site.system.ref('hub').ask({ type: 'status' } as never, { timeout: 5_000 }).catch(() => undefined)) as HubStatus | undefined;
  await expect.poll(async () => (await status())?.downlink?.error, { timeout: 30_000, interval: 250 }).toMatch(/^CAIRN_HUB_CERT_NOT_FOR_CLIENTS: .*does not include client authentication/);
  // The handler's error reaches the asker (after the hub's retries) with its code and reason.
  await expect(site.system.ref('hub').ask({ type: 'publish', topic: 'cmd/s1/fan', payload: 'on', qos: 1 } as never, { timeout: 30_000 })).rejects.toThrow(/\[CAIRN_HUB_CERT_NOT_FOR_CLIENTS\]: the hub cannot log in to its site's MQTT listener, which verifies clients/);
  // Started again, the hub opens its saved login at once: the same error, reported, and the node goes on.
  await site.stop();
  site = await startEmbeddedSite({ dataDir, example: 'none', appDir: HUB_FIXTURES });
  cleanups.push(() => site.stop());
  await expect.poll(async () => (await status())?.downlink?.error, { timeout: 30_000, interval: 250 }).toMatch(/^CAIRN_HUB_CERT_NOT_FOR_CLIENTS: /);
}, 90_000);
