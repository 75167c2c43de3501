// Issue 10, item 7: a receiving server killed during catch-up and restarted must not make a
// non-persisted actor handle a message twice (its WorkQueue forgot the ids of what it had acked).
import { afterEach, describe, expect, it } from 'vitest';
import { match } from 'ts-pattern';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { defineActor } from '../../kernel/index.ts';
import type { ActorRef, Asks } from '../../kernel/index.ts';
import { startTopology } from '../helpers/topology.ts';
import type { Topology } from '../helpers/topology.ts';

interface CountState {
  readonly seen: Record<number, number>;
  readonly count: number;
}
type CountMsg = { type: 'n'; i: number } | ({ type: 'report' } & Asks<{ count: number; distinct: number; twice: number }>);

/** Not persisted: counts every delivery it handles, repeats included. */
const CountAll = defineActor<CountMsg, CountState>({
  name: 'count-all',
  initialState: () => ({ seen: {}, count: 0 }),
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'n' }, ({ i }) => {
        ctx.state.seen[i] = (ctx.state.seen[i] ?? 0) + 1;
        ctx.setState({ seen: ctx.state.seen, count: ctx.state.count + 1 });
      })
      .with({ type: 'report' }, () => {
        const counts = Object.values(ctx.state.seen);
        return { count: ctx.state.count, distinct: counts.length, twice: counts.filter((c) => c > 1).length };
      })
      .exhaustive(),
});

const N = 10_000;
let topology: Topology | undefined;
const systems: ActorSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.splice(0).map((s) => s.shutdown().catch(() => undefined)));
  await topology?.cleanup();
  topology = undefined;
});

async function send(to: ActorRef<CountMsg>): Promise<void> {
  for (let i = 0; i < N; i += 500) await Promise.all(Array.from({ length: Math.min(500, N - i) }, (_, k) => to.tell({ type: 'n', i: i + k }, { id: `n-${i + k}` })));
}

describe('de-duplication across receiving-server restarts', () => {
  it('dedup - the cloud server killed twice during catch-up: a non-persisted actor handles each of 10,000 messages once', async () => {
    topology = await startTopology(['edge1']);
    const { cloud, edges } = topology;
    const cloudSys = await createActorSystem({ servers: cloud.url, site: 'cloud', node: 'cloud-n1', peers: [{ site: 'edge1', domain: 'edge1' }], mailbox: { ackWaitMs: 2_000 } });
    systems.push(cloudSys);
    const edgeSys = await createActorSystem({ servers: edges.edge1!.url, site: 'edge1', node: 'edge1-n1', peers: [{ site: 'cloud', domain: 'cloud' }] });
    systems.push(edgeSys);
    await cloudSys.spawn(CountAll, { id: 'counter' });
    const report = () => cloudSys.ref<CountMsg>('counter').ask({ type: 'report' }, { timeout: 5_000 });
    await send(edgeSys.ref<CountMsg>('counter', 'cloud'));
    for (let k = 0; k < 2; k++) {
      await expect.poll(async () => (await report().catch(() => undefined))?.count ?? 0, { timeout: 60_000, interval: 50 }).toBeGreaterThan(2_000 * (k + 1));
      await cloud.kill();
      await cloud.start();
    }
    await expect.poll(async () => (await report().catch(() => undefined))?.distinct, { timeout: 120_000, interval: 250 }).toBe(N);
    expect(await report()).toEqual({ count: N, distinct: N, twice: 0 });
  }, 240_000);
});
