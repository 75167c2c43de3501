// The site mailbox keeps each actor's order when deliveries are lost on the way: the node's
// connection cut with the server's bytes in flight (as a server killed mid-stream, or a slow
// consumer dropped) must not let newer messages overtake the lost ones, which the server would
// redeliver only after its ack wait.
import { afterAll, describe, expect, it } from 'vitest';
import { match } from 'ts-pattern';
import { CairnClient } from '../../client/index.ts';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import { defineActor, deliveryFollows } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import { startTestServer } from '../helpers/nats.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Buckets, decodeValue } from '../../protocols/index.ts';

type OrderMsg = { type: 'n'; i: number } | ({ type: 'report' } & Asks<OrderState>);
interface OrderState {
  readonly last: number;
  readonly count: number;
  /** Messages that came after a later one. */
  readonly late: number;
  readonly gaps: number;
}

/** Persisted: a message that arrives after a later one was applied would be skipped as already applied. */
const InOrder = defineActor<OrderMsg, OrderState>({
  name: 'in-order',
  persist: true,
  initialState: { last: -1, count: 0, late: 0, gaps: 0 },
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'n' }, ({ i }) => {
        const s = ctx.state;
        if (i <= s.last) return ctx.setState({ ...s, late: s.late + 1 });
        ctx.setState({ last: i, count: s.count + 1, late: s.late, gaps: s.gaps + (i === s.last + 1 ? 0 : 1) });
      })
      .with({ type: 'report' }, () => ctx.state)
      .exhaustive(),
});

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** Tells 5,000 numbered messages to a fresh actor of `def` while the node's connection is cut twice; its report at the end. */
async function cutTwice(def: typeof InOrder, site: string): Promise<OrderState> {
  const server = await startTestServer();
  cleanups.push(() => server.cleanup());
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
  cleanups.push(() => proxy.close());
  const system = await createActorSystem({ servers: `nats://127.0.0.1:${proxy.port}`, site, node: `${site}-n1`, mailbox: { ackWaitMs: 2_000 } });
  cleanups.push(() => system.shutdown());
  await system.spawn(def, { id: 'seq' });
  const client = await CairnClient.connect({ servers: server.url, site });
  cleanups.push(() => client.close());
  const N = 5_000;
  const report = (): Promise<OrderState> => client.ask<OrderState>('seq', { type: 'report' }, { timeout: 5_000 });
  // Paced below what the actor handles, so that the server has deliveries on the way when the link is cut.
  const sending = (async () => {
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, k) => client.tell('seq', { type: 'n', i: i + k } as OrderMsg, { id: `n-${i + k}` })));
      await new Promise((r) => setTimeout(r, 40));
    }
  })();
  for (const above of [1_000, 3_000]) {
    await expect.poll(async () => (await report().catch(() => undefined))?.count ?? 0, { timeout: 60_000, interval: 20 }).toBeGreaterThan(above);
    proxy.freeze();
    await new Promise((r) => setTimeout(r, 300));
    proxy.thaw({ reset: true });
  }
  await sending;
  await expect.poll(async () => (await report().catch(() => undefined))?.last, { timeout: 120_000, interval: 250 }).toBe(N - 1);
  return report();
}

describe('mailbox order', () => {
  it('delivery numbers - the first of a session follows anything; then only the next number does', () => {
    expect(deliveryFollows(undefined, 17)).toBe(true);
    expect(deliveryFollows(17, 18)).toBe(true);
    expect(deliveryFollows(17, 19)).toBe(false);
    expect(deliveryFollows(17, 17)).toBe(false);
    expect(deliveryFollows(17, 3)).toBe(false);
  });

  it('mailbox order - the node connection cut twice with deliveries in flight: 5,000 messages handled once each, in order, none skipped', async () => {
    expect(await cutTwice(InOrder, 'order')).toEqual({ last: 4_999, count: 5_000, late: 0, gaps: 0 });
  }, 180_000);

  it('mailbox order - an actor that does not persist does not handle again what came again after the cut (its ack lost with the connection)', async () => {
    expect(await cutTwice({ ...InOrder, persist: false }, 'order-mem')).toEqual({ last: 4_999, count: 5_000, late: 0, gaps: 0 });
  }, 180_000);

  it('mailbox order - messages delivered into a frozen connection come again at once after it is made again, not after the ack wait', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.cleanup());
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
    cleanups.push(() => proxy.close());
    // An ack wait far beyond the test's patience: nothing may wait for it.
    const system = await createActorSystem({ servers: `nats://127.0.0.1:${proxy.port}`, site: 'frozen', node: 'frozen-n1', mailbox: { ackWaitMs: 600_000 } });
    cleanups.push(() => system.shutdown());
    await system.spawn(InOrder, { id: 'seq' });
    const client = await CairnClient.connect({ servers: server.url, site: 'frozen' });
    cleanups.push(() => client.close());
    const report = (): Promise<OrderState> => client.ask<OrderState>('seq', { type: 'report' }, { timeout: 5_000 });
    await expect.poll(async () => (await report().catch(() => undefined))?.count, { timeout: 20_000 }).toBe(0);
    // Read from its persisted state, not asked: any message to the site's mailbox would show the gap.
    const kv = await new Kvm(jetstream(client.nc)).open(Buckets.state('frozen'));
    const stored = async (): Promise<OrderState | undefined> => {
      const entry = await kv.get('seq');
      return entry && entry.value.length > 0 ? (decodeValue(entry.value) as { state: OrderState }).state : undefined;
    };
    // The node's connection stops passing bytes; the server hands the waiting pull everything told
    // meanwhile, into it. No later message comes to show a gap.
    proxy.freeze();
    const N = 200;
    for (let i = 0; i < N; i++) await client.tell('seq', { type: 'n', i } as OrderMsg, { id: `f-${i}` });
    await new Promise((r) => setTimeout(r, 500));
    proxy.thaw({ reset: true });
    await expect.poll(async () => (await stored())?.count, { timeout: 60_000, interval: 250 }).toBe(N);
    expect(await stored()).toEqual({ last: N - 1, count: N, late: 0, gaps: 0 });
  }, 120_000);
});
