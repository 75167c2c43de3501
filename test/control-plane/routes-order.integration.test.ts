// A route keeps each actor's order when deliveries of its capture are lost on the way: the site
// leader's connection cut with the server's bytes in flight must not let newer captures overtake
// the lost ones, which the server would hand out again only after the forwarder's ack wait.
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { applyManifest, startAppController } from '../../control-plane/index.ts';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { RouteOrder } from '../fixtures/routes/route-actors.ts';
import { startTestServer } from '../helpers/nats.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { untilRoutesCapture } from '../helpers/routes-capture.ts';

const APP_DIR = fileURLToPath(new URL('../fixtures/routes/', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

it('routes order - the leader connection cut twice with captures in flight: 5,000 routed messages reach the actor once each, in order', async () => {
  const server = await startTestServer();
  cleanups.push(() => server.cleanup());
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
  cleanups.push(() => proxy.close());
  const system = await createActorSystem({ servers: `nats://127.0.0.1:${proxy.port}`, site: 'rorder', node: 'rorder-n1' });
  const controller = await startAppController({ system, appDir: APP_DIR });
  cleanups.push(async () => (await controller.stop(), await system.shutdown()));
  const nc = await connect({ servers: server.url });
  cleanups.push(() => nc.close());
  await applyManifest(
    jetstream(nc),
    'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: ordered }\nspec:\n  actors:\n    - { id: order, behaviour: { module: ./route-actors.ts, export: RouteOrderCheck } }\n  routes:\n    - { from: { subject: "ord.>" }, to: { actor: order } }\n',
  );
  await untilRoutesCapture(nc, 'CAIRN_RT_rorder_ordered');
  const N = 5_000;
  const report = (): Promise<RouteOrder | undefined> => system.ref('order').ask({ type: 'order' } as never, { timeout: 5_000 }).then((r) => r as RouteOrder, () => undefined);
  let sent = 0;
  // Paced: the forwarder keeps up with the publisher, so that the server has deliveries on the way when the link is cut.
  const sending = (async () => {
    for (let i = 0; i < N; i += 50) {
      for (let k = i; k < Math.min(i + 50, N); k++) nc.publish(`ord.${k % 7}`, String(k));
      await nc.flush();
      sent = Math.min(i + 50, N);
      await new Promise((r) => setTimeout(r, 40));
    }
  })();
  for (const above of [1_000, 3_000]) {
    await expect.poll(() => sent, { timeout: 60_000, interval: 10 }).toBeGreaterThan(above);
    proxy.freeze();
    await new Promise((r) => setTimeout(r, 300));
    proxy.thaw({ reset: true });
  }
  await sending;
  // Without the forwarder's check, the lost deliveries would come after the ack wait (30 s), late.
  await expect.poll(async () => (await report())?.last, { timeout: 120_000, interval: 250 }).toBe(N - 1);
  expect(await report()).toEqual({ last: N - 1, count: N, late: 0 });
}, 180_000);
