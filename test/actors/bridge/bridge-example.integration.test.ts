// examples/bridge/plant.yaml as written (ports aside) on the embedded site, against a real
// mosquitto as the factory's broker: a sensor's reading above the threshold reaches the factory
// as an alert; a command from the factory reaches the sensor.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { connectAsync } from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { applyManifest } from '../../../control-plane/index.ts';
import { startEmbeddedSite } from '../../../deploy/embedded/index.ts';
import { freePorts } from '../../../deploy/nats-server/index.ts';
import type { BridgeStatus } from '../../../actors/index.ts';
import { startMosquitto } from '../../helpers/mosquitto.ts';
import { untilRoutesCapture } from '../../helpers/routes-capture.ts';

const APP_DIR = fileURLToPath(new URL('../../../examples/bridge/', import.meta.url));
const EXAMPLE = readFileSync(join(APP_DIR, 'plant.yaml'), 'utf8');
const run = promisify(execFile);
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

it('example - a hot reading becomes an alert at the factory broker, and a factory command reaches the sensor', async () => {
  const broker = await startMosquitto();
  cleanups.push(() => broker.cleanup());
  const [mqttPort] = (await freePorts(1)) as [number];
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bridge-example-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const site = await startEmbeddedSite({ dataDir: join(dir, '.cairn'), example: 'none', appDir: APP_DIR });
  cleanups.push(() => site.stop());
  const nc = await connect({ servers: site.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  cleanups.push(() => nc.close());

  const manifest = EXAMPLE.replace('mqtt: { port: 1883 }', `mqtt: { port: ${mqttPort}, host: 127.0.0.1 }`).replace('mqtt://127.0.0.1:1884', broker.url);
  expect(manifest).not.toBe(EXAMPLE);
  await applyManifest(jetstream(nc), manifest);
  const factory = await connectAsync(broker.url, { clientId: 'factory', protocolVersion: 5 });
  cleanups.push(() => factory.endAsync(true));
  const alerts: string[] = [];
  factory.on('message', (topic, payload) => alerts.push(`${topic} ${payload.toString()}`));
  await factory.subscribeAsync('factory/plant-1/alerts/#', { qos: 1 });
  await expect.poll(async () => ((await site.system.ref('bridge').ask({ type: 'status' } as never, { timeout: 5_000 })) as BridgeStatus).peer.connected, { timeout: 60_000 }).toBe(true);
  // The routes capture once the application has started (the hub's listener opens a little before).
  await untilRoutesCapture(nc, 'CAIRN_RT_local_plant');

  // The sensor, as the example's comments run it: Debian's mosquitto_pub, and a subscriber for its commands.
  const sensor = await (async () => {
    for (;;) {
      const c = await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'sensor-1', username: 'sensor-1', password: 's3cret-1', protocolVersion: 4, reconnectPeriod: 0 }).catch(() => undefined);
      if (c) return c;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  cleanups.push(() => sensor.endAsync(true));
  const commands: string[] = [];
  sensor.on('message', (topic, payload) => commands.push(`${topic} ${payload.toString()}`));
  await sensor.subscribeAsync('cmd/s1/#', { qos: 1 });

  await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mqttPort), '-u', 'sensor-1', '-P', 's3cret-1', '-q', '1', '-t', 'plant/s1/temp', '-m', '21.5']);
  await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mqttPort), '-u', 'sensor-1', '-P', 's3cret-1', '-q', '1', '-t', 'plant/s1/temp', '-m', '91.5']);
  await expect.poll(() => alerts, { timeout: 30_000 }).toEqual(['factory/plant-1/alerts/s1 {"sensor":"s1","value":91.5}']);

  await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', 'factory/plant-1/cmd/s1/fan', '-m', 'on']);
  await expect.poll(() => commands, { timeout: 30_000 }).toEqual(['cmd/s1/fan on']);
}, 180_000);
