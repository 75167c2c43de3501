// An application's routes capture before its hub's listener opens: what a device publishes the
// moment it can connect reaches the routed actor, however long the rest of the application takes to start.
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { applyManifest } from '../../../control-plane/index.ts';
import { startHubSite } from '../../helpers/hub-site.ts';

const HUB_FIXTURES = fileURLToPath(new URL('../../fixtures/hub/', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

it('hub start - a QoS 1 publish made the moment the listener accepts a device reaches the routed actor', async () => {
  const { site, nc, port } = await startHubSite(HUB_FIXTURES, cleanups);
  await applyManifest(
    jetstream(nc),
    `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: first }
spec:
  actors:
    - id: hub
      module: cairn/hub
      config:
        listeners: { mqtt: { port: ${port}, host: 127.0.0.1 } }
        principals: [{ username: s1, password: pw, publish: ["plant/#"], subscribe: [] }]
    - { id: seen, behaviour: { module: ./device-events.ts, export: Seen } }
    # Its worker takes seconds to start: the listener is open long before the application is up.
    - { id: slow, mode: worker, behaviour: { module: ./slow-start.ts, export: SlowStart } }
  routes:
    - { from: { mqtt: "plant/#" }, to: { actor: seen } }
`,
  );
  // No waiting for the routes: the device connects as soon as the listener takes it, and publishes at once.
  let device: MqttClient | undefined;
  for (let i = 0; !device; i++) {
    device = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 's1', username: 's1', password: 'pw', protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2_000 }).catch((err: unknown) => {
      if (i > 1_000) throw err;
      return new Promise<undefined>((r) => setTimeout(() => r(undefined), 10));
    });
  }
  const dev = device;
  cleanups.push(() => dev.endAsync(true));
  await dev.publishAsync('plant/s1/temp', 'first', { qos: 1 });
  const seen = async (): Promise<string[]> => ((await site.system.ref('seen').ask({ type: 'seen' } as never, { timeout: 5_000 }).catch(() => [])) as { text: string }[]).map((s) => s.text);
  await expect.poll(seen, { timeout: 30_000, interval: 250 }).toEqual(['first']);
}, 90_000);
