// cairn/bridge to a remote NATS server (a second real nats-server): with jetstream, what the site
// publishes while the peer is down is stored by the peer's stream once it is back, each message
// once; what is published at the peer reaches the site's routed actor, and nothing comes back.
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, expect, it } from 'vitest';
import { applyManifest, startAppController } from '../../../control-plane/index.ts';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import type { BridgeStatus } from '../../../actors/index.ts';
import { startTestServer } from '../../helpers/nats.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/bridge/', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

it('bridge to NATS - 2,000 published while the peer is down are stored there once each when it is back; what the peer publishes reaches the routed actor and is not sent back', async () => {
  const peer = await startTestServer();
  cleanups.push(() => peer.cleanup());
  const pc = await connect({ servers: peer.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  cleanups.push(() => pc.close());
  await (await jetstreamManager(pc)).streams.add({ name: 'FACTORY', subjects: ['factory.>'] });

  const site = await startTestServer();
  cleanups.push(() => site.cleanup());
  const nc = await connect({ servers: site.url });
  cleanups.push(() => nc.close());
  const system = await createActorSystem({ servers: site.url, site: 'natsb', node: 'natsb-n1' });
  const controller = await startAppController({ system, appDir: FIXTURES });
  cleanups.push(async () => (await controller.stop(), await system.shutdown()));
  await applyManifest(
    jetstream(nc),
    `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: uplink }
spec:
  actors:
    - id: bridge
      module: cairn/bridge
      config:
        peer: { url: "${peer.url}", jetstream: true, keepaliveS: 5 }
        rules:
          - { topic: "alerts/#", direction: both, localPrefix: "plant/", remotePrefix: "factory/p1/" }
          - { topic: "cmd/#", direction: in, localPrefix: "plant/", remotePrefix: "factory/p1/" }
    - { id: commands, behaviour: { module: ./bridge-events.ts, export: Payloads } }
  routes:
    - { from: { mqtt: "plant/cmd/#" }, to: { actor: commands } }
`,
  );
  const status = (): Promise<BridgeStatus> => system.ref('bridge').ask({ type: 'status' } as never, { timeout: 5_000 }) as Promise<BridgeStatus>;
  await expect.poll(async () => (await status()).peer.connected, { timeout: 20_000 }).toBe(true);

  // Inbound: a command published at the peer reaches the routed actor.
  pc.publish('factory.p1.cmd.valve', 'close');
  await expect.poll(() => system.ref('commands').ask({ type: 'payloads' } as never, { timeout: 5_000 }), { timeout: 20_000 }).toEqual(['close']);
  // Both ways on alerts: one from the peer comes in and is not sent back (the peer's stream holds only its own publish).
  await jetstream(pc).publish('factory.p1.alerts.remote', 'from-peer');
  await expect.poll(async () => (await status()).returned, { timeout: 20_000 }).toBe(1);

  // Outbound while the peer is down: buffered, then stored at the peer once each (beside the
  // command and the alert published there above).
  const jsm = await jetstreamManager(pc);
  await peer.stop();
  await expect.poll(async () => (await status()).peer.connected, { timeout: 30_000 }).toBe(false);
  const js = jetstream(nc);
  for (let i = 0; i < 2_000; i += 200) await Promise.all(Array.from({ length: 200 }, (_, k) => js.publish(`plant.alerts.a${(i + k) % 7}`, String(i + k))));
  await expect.poll(async () => (await status()).buffer.messages, { timeout: 10_000 }).toBe(2_000);
  await peer.restart();
  await expect.poll(async () => (await jsm.streams.info('FACTORY').catch(() => undefined))?.state.messages, { timeout: 60_000, interval: 250 }).toBe(2 + 2_000);
  await expect.poll(async () => (await status()).buffer.messages, { timeout: 10_000 }).toBe(0);
  expect((await status()).dropped).toBe(0);
}, 120_000);
