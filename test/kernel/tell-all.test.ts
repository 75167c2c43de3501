// ActorRef.tellAll: several messages to one actor stored in order, as one atomic batch when the
// mailbox takes it, one at a time (waiting for room) when it does not; a repeated id is stored once.
import { afterEach, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import { Streams } from '../../protocols/index.ts';
import { serverForFile } from '../helpers/server-for-file.ts';
import type { TestServer } from '../helpers/nats.ts';

type LogMsg = { type: 'item'; n: number } | ({ type: 'seen' } & Asks<number[]>);
const Log = defineActor<LogMsg, number[]>({
  name: 'log',
  initialState: () => [],
  receive: async (msg, ctx) => {
    if (msg.type === 'seen') return ctx.state;
    await new Promise((r) => setTimeout(r, 2));
    ctx.setState([...ctx.state, msg.n]);
    return undefined;
  },
});

let server: TestServer;
let nc: NatsConnection;
serverForFile((s, c) => {
  server = s;
  nc = c;
});
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

const items = (from: number, to: number, tag: string) => Array.from({ length: to - from }, (_, k) => ({ msg: { type: 'item' as const, n: from + k }, id: `${tag}-${from + k}` }));

describe('tellAll', () => {
  it('tellAll - 200 messages are stored as one batch, in order, and each handled once; told again, none is stored twice', async () => {
    system = await createActorSystem({ servers: server.url, site: 'ta1', node: 'ta1-n1' });
    const log = await system.spawn(Log, { id: 'log' });
    const before = (await (await jetstreamManager(nc)).streams.info(Streams.mailbox('ta1'))).state.last_seq;
    await log.tellAll(items(0, 200, 'a'));
    await log.tellAll(items(0, 200, 'a'));
    // The repeat was refused whole as a batch, then found a duplicate message by message: nothing more stored.
    expect((await (await jetstreamManager(nc)).streams.info(Streams.mailbox('ta1'))).state.last_seq - before).toBe(200);
    await expect.poll(() => log.ask({ type: 'seen' }), { timeout: 20_000 }).toHaveLength(200);
    expect(await log.ask({ type: 'seen' })).toEqual(Array.from({ length: 200 }, (_, i) => i));
  }, 30_000);

  it('tellAll - to a mailbox with room for 3, 20 messages are stored one at a time as room frees, in order', async () => {
    system = await createActorSystem({ servers: server.url, site: 'ta2', node: 'ta2-n1', mailbox: { capacity: 3 } });
    const log = await system.spawn(Log, { id: 'log' });
    await log.tellAll(items(0, 20, 'b'));
    await expect.poll(() => log.ask({ type: 'seen' }), { timeout: 20_000 }).toEqual(Array.from({ length: 20 }, (_, i) => i));
  }, 30_000);
});
