import { describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import { Streams } from '../../protocols/index.ts';
import { outboxCreatedKey, outboxMarksKey } from '../../kernel/index.ts';
import { topologyPerTest } from '../helpers/topology.ts';
import { sourcingReport } from '../helpers/sourcing-report.ts';

type Msg = { type: 'n'; i: number } | ({ type: 'seen' } & Asks<number[]>);
const seen = (name: string, persist: boolean) =>
  defineActor<Msg, number[]>({
    name,
    persist,
    initialState: () => [],
    receive: (msg, ctx) => (msg.type === 'seen' ? ctx.state : ctx.setState([...ctx.state, msg.i])),
  });

const sites = topologyPerTest();

describe('an outbox recreated from scratch', () => {
  it('outbox recreated - after a peer outbox is deleted and made again, its new messages reach persisted and plain actors', async () => {
    const topology = await sites.start(['edge1']);
    const cloud = await createActorSystem({ servers: topology.cloud.url, site: 'cloud', node: 'cloud-n1', peers: [{ site: 'edge1', domain: 'edge1' }] });
    sites.keep(cloud);
    const edge = await createActorSystem({ servers: topology.edges.edge1!.url, site: 'edge1', node: 'edge1-n1', peers: [{ site: 'cloud', domain: 'cloud' }] });
    sites.keep(edge);
    await edge.spawn(seen('kept', true), { id: 'kept' });
    await edge.spawn(seen('plain', false), { id: 'plain' });
    for (let i = 0; i < 30; i++) {
      await cloud.ref<Msg>('kept', 'edge1').tell({ type: 'n', i }, { id: `a-kept-${i}` });
      await cloud.ref<Msg>('plain', 'edge1').tell({ type: 'n', i }, { id: `a-plain-${i}` });
    }
    await expect.poll(() => edge.ref<Msg>('kept').ask({ type: 'seen' }).then((s) => s.length), { timeout: 30_000 }).toBe(30);
    await expect.poll(() => edge.ref<Msg>('plain').ask({ type: 'seen' }).then((s) => s.length), { timeout: 30_000 }).toBe(30);

    await (await jetstreamManager(cloud.node.nc)).streams.delete(Streams.outbox('cloud'));
    // Sends fail until someone makes the outbox again; then new messages start at sequence 1.
    await expect.poll(() => cloud.ref<Msg>('kept', 'edge1').tell({ type: 'n', i: 30 }, { id: 'b-kept-30', timeout: 1_000 }).then(() => true, () => false), { timeout: 30_000, interval: 500 }).toBe(true);
    await cloud.ref<Msg>('plain', 'edge1').tell({ type: 'n', i: 30 }, { id: 'b-plain-30' });
    for (let i = 31; i < 40; i++) {
      await cloud.ref<Msg>('kept', 'edge1').tell({ type: 'n', i }, { id: `b-kept-${i}` });
      await cloud.ref<Msg>('plain', 'edge1').tell({ type: 'n', i }, { id: `b-plain-${i}` });
    }
    const upTo = (n: number): number[] => [...Array(n).keys()];
    await expect.poll(() => edge.ref<Msg>('plain').ask({ type: 'seen' }), { timeout: 30_000 }).toEqual(upTo(40));
    await expect.poll(() => edge.ref<Msg>('kept').ask({ type: 'seen' }), { timeout: 30_000 }).toEqual(upTo(40));

    // The edge's mailbox remembers which outbox it sources and where the new one began.
    const cloudOutbox = await (await jetstreamManager(cloud.node.nc)).streams.info(Streams.outbox('cloud'));
    const mailbox = await (await jetstreamManager(edge.node.nc)).streams.info(Streams.mailbox('edge1'));
    expect(mailbox.config.metadata).toMatchObject({ [outboxCreatedKey('cloud')]: cloudOutbox.created, [outboxMarksKey('cloud')]: expect.stringMatching(/^\d+$/) });

    // The edge's node restarts: what it knows of the new outbox was stored with its mailbox, so the
    // persisted actor neither drops the next messages nor takes the earlier ones again.
    await edge.shutdown();
    const again = await createActorSystem({ servers: topology.edges.edge1!.url, site: 'edge1', node: 'edge1-n1', peers: [{ site: 'cloud', domain: 'cloud' }] });
    sites.keep(again);
    await again.spawn(seen('kept', true), { id: 'kept' });
    for (let i = 40; i < 50; i++) await cloud.ref<Msg>('kept', 'edge1').tell({ type: 'n', i }, { id: `c-kept-${i}` });
    await expect.poll(() => again.ref<Msg>('kept').ask({ type: 'seen' }), { timeout: 30_000 }).toEqual(upTo(50));
  }, 120_000);
});
