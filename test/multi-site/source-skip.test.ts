import { describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { DEFAULT_MAILBOX_LIMITS, defineActor, mailboxStreamConfig, rewindSourceConsumer, systemClock } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import { topologyPerTest } from '../helpers/topology.ts';

type Msg = { type: 'n'; i: number } | ({ type: 'seen' } & Asks<number[]>);
/** Not persisted: what it records is every delivery, repeats included. */
const Seen = defineActor<Msg, number[]>({ name: 'seen', initialState: () => [], receive: (msg, ctx) => (msg.type === 'seen' ? ctx.state : ctx.setState([...ctx.state, msg.i])) });

const sites = topologyPerTest();

describe('a source that acknowledged what it never stored', () => {
  it('source skip - a source whose consumer was acknowledged past messages the mailbox never stored is moved back, and they arrive once', async () => {
    const topology = await sites.start(['edge1']);
    const cloud = await createActorSystem({ servers: topology.cloud.url, site: 'cloud', node: 'c1', peers: [{ site: 'edge1', domain: 'edge1' }] });
    const edge = await createActorSystem({ servers: topology.edges.edge1!.url, site: 'edge1', node: 'e1', peers: [{ site: 'cloud', domain: 'cloud' }], sourceStallMs: 2_000 });
    sites.keep(cloud, edge);
    await edge.spawn(Seen, { id: 'seen' });
    const to = cloud.ref<Msg>('seen', 'edge1');
    const seen = (): Promise<number[]> => edge.ref<Msg>('seen').ask({ type: 'seen' }, { timeout: 2_000 });
    for (let i = 0; i < 5; i++) await to.tell({ type: 'n', i });
    await expect.poll(seen, { timeout: 30_000 }).toEqual([0, 1, 2, 3, 4]);

    // What nats-server's durable source can do after a consumer reset, made deterministic: the
    // consumer is acknowledged past 20 messages that never reach the mailbox.
    const edgeJsm = await jetstreamManager(edge.node.nc);
    const limits = { ...DEFAULT_MAILBOX_LIMITS };
    await edgeJsm.streams.update('CAIRN_MBX_edge1', mailboxStreamConfig('edge1', limits, []));
    for (let i = 5; i < 25; i++) await to.tell({ type: 'n', i });
    await rewindSourceConsumer(edge.node.nc, { site: 'cloud', domain: 'cloud' }, 'edge1', 26, systemClock);
    await edgeJsm.streams.update('CAIRN_MBX_edge1', mailboxStreamConfig('edge1', limits, [{ site: 'cloud', domain: 'cloud' }]));

    // The node sees the consumer acknowledged up to 25 while it received 5, and moves it back.
    await expect.poll(seen, { timeout: 30_000, interval: 250 }).toEqual([...Array(25).keys()]);
    expect(edge.node.peerSourceStates().get('cloud')).toMatchObject({ type: 'rewound', fromSeq: 6, toSeq: 25 });
  }, 90_000);
});
