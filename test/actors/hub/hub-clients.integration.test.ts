// Connected devices on the embedded site (cairn up's path): the process running the server reads
// them from its monitoring endpoint and tells the hub, which lists them (status, `cairn hub
// clients`) and publishes connects and disconnects for routes; a device's last will reaches the
// actor routed its topic; a device connected for less than the second between reads is seen too.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { connectAsync } from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { applyManifest } from '../../../control-plane/index.ts';
import { startEmbeddedSite } from '../../../deploy/embedded/index.ts';
import { freePorts } from '../../../deploy/nats-server/index.ts';
import type { HubStatus } from '../../../actors/index.ts';
import { runBin } from '../../deploy/cli/cli-harness.ts';
import { untilRoutesCapture } from '../../helpers/routes-capture.ts';

const HUB_FIXTURES = fileURLToPath(new URL('../../fixtures/hub/', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

it('hub clients - a device is listed while connected; its connect, disconnect and last will reach the routed actor; cairn hub clients prints it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-hub-clients-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const [mqttPort] = (await freePorts(1)) as [number];
  const site = await startEmbeddedSite({ dataDir: join(dir, '.cairn'), example: 'none', appDir: HUB_FIXTURES });
  cleanups.push(() => site.stop());
  const nc = await connect({ servers: site.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  cleanups.push(() => nc.close());
  await applyManifest(
    jetstream(nc),
    `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: fleet }
spec:
  actors:
    - id: hub
      module: cairn/hub
      config:
        listeners: { mqtt: { port: ${mqttPort}, host: 127.0.0.1 } }
        principals: [{ username: dev, password: pw, publish: ["plant/#"] }]
        events: { subject: devices }
    - { id: seen, behaviour: { module: ./device-events.ts, export: Seen } }
  routes:
    - { from: { subject: "devices.>" }, to: { actor: seen } }
    - { from: { mqtt: "plant/+/status" }, to: { actor: seen } }
`,
  );
  const status = (): Promise<HubStatus> => site.system.ref('hub').ask({ type: 'status' } as never, { timeout: 5_000 }) as Promise<HubStatus>;
  const seen = (): Promise<{ subject: string; text: string }[]> => site.system.ref('seen').ask({ type: 'seen' } as never, { timeout: 5_000 }) as Promise<{ subject: string; text: string }[]>;

  // The routes capture once the application has started (the hub's listener opens a little before).
  await untilRoutesCapture(nc, 'CAIRN_RT_local_fleet');
  // The listener comes with a server restart: connect once it is there.
  const device = await (async () => {
    for (let i = 0; ; i++) {
      const c = await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'd-1', username: 'dev', password: 'pw', protocolVersion: 4, reconnectPeriod: 0, will: { topic: 'plant/d-1/status', payload: Buffer.from('offline'), qos: 1, retain: false } }).catch(() => undefined);
      if (c) return c;
      if (i > 300) throw new Error('the hub listener never opened');
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  cleanups.push(() => device.endAsync(true));

  await expect.poll(async () => (await status()).clients.map((c) => [c.client, c.user]), { timeout: 30_000, interval: 250 }).toEqual([['d-1', 'dev']]);
  await expect.poll(async () => (await seen()).map((s) => s.subject), { timeout: 30_000, interval: 250 }).toContain('devices.connected.d-1');
  const connected = JSON.parse((await seen()).find((s) => s.subject === 'devices.connected.d-1')!.text) as Record<string, unknown>;
  expect(connected).toMatchObject({ event: 'connected', client: 'd-1', user: 'dev', address: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });

  const listed = await runBin(['hub', 'clients', '--server', site.url]);
  expect(listed.stderr).toBe('');
  expect(listed.stdout).toMatch(/^CLIENT\s+USER\s+ADDRESS\s+CONNECTED\s*\n/);
  expect(listed.stdout).toMatch(/\nd-1\s+dev\s+127\.0\.0\.1:\d+\s+\S+\s*\n/);
  const json = await runBin(['hub', 'clients', '--server', site.url, '-o', 'json']);
  expect((JSON.parse(json.stdout) as { client: string }[]).map((c) => c.client)).toEqual(['d-1']);

  // Gone without a DISCONNECT: the server publishes its will; the hub sees it leave.
  device.stream.destroy();
  await expect.poll(async () => (await seen()).map((s) => `${s.subject} ${s.subject.endsWith('status') ? s.text : ''}`.trim()), { timeout: 30_000, interval: 250 }).toEqual(
    expect.arrayContaining(['plant.d-1.status offline', 'devices.disconnected.d-1']),
  );
  expect((await status()).clients).toEqual([]);

  // A device that comes and goes between two reads of the server (once a second) is seen too: its
  // connect and disconnect reach the routed actor, the disconnect with when it happened.
  const flash = await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'd-flash', username: 'dev', password: 'pw', protocolVersion: 4, reconnectPeriod: 0 });
  await flash.endAsync();
  await expect.poll(async () => (await seen()).map((s) => s.subject).filter((s) => s.endsWith('d-flash')), { timeout: 30_000, interval: 250 }).toEqual(['devices.connected.d-flash', 'devices.disconnected.d-flash']);
  const left = JSON.parse((await seen()).find((s) => s.subject === 'devices.disconnected.d-flash')!.text) as { since: number; until: number };
  expect(left.until).toBeGreaterThanOrEqual(left.since);
  expect((await status()).clients).toEqual([]);
}, 120_000);
