import { describe, expect, it } from 'vitest';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import { TimerModule } from '../../actors/index.ts';
import type { TimerStatus } from '../../actors/index.ts';
import { serverForFile } from '../helpers/server-for-file.ts';
import type { TestServer } from '../helpers/nats.ts';

let server: TestServer;
serverForFile((s) => {
  server = s;
});

type SinkMsg = { type: 'beep'; tick: number; tone?: string } | ({ type: 'got' } & Asks<number[]>);
const Sink = defineActor<SinkMsg, { ticks: number[] }>({
  name: 'sink',
  initialState: () => ({ ticks: [] }),
  receive: (msg, ctx) => {
    if (msg.type === 'got') return ctx.state.ticks;
    ctx.setState({ ticks: [...ctx.state.ticks, msg.tick] });
    return undefined;
  },
});

describe('cairn/timer', () => {
  it('timer - sends the configured message count times, numbered, and a restart neither repeats nor exceeds the count', async () => {
    const sys = await createActorSystem({ servers: server.url, site: 'timer', node: 'n1' });
    try {
      const sink = await sys.spawn(Sink, { id: 'sink' });
      const config = { to: 'sink', message: { type: 'beep', tone: 'a' }, everyMs: 100, count: 6 };
      const clock = await sys.spawn(TimerModule.behaviour, { id: 'clock', config });
      await expect.poll(async () => (await sink.ask({ type: 'got' })).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      // A new incarnation reads the persisted count and goes on from there.
      await sys.stop('clock');
      await sys.spawn(TimerModule.behaviour, { id: 'clock', config });
      await expect.poll(async () => (await clock.ask({ type: 'status' })).sent, { timeout: 10_000 }).toBe(6);
      const status: TimerStatus = await clock.ask({ type: 'status' });
      expect(status).toEqual({ sent: 6, count: 6 });
      expect(await sink.ask({ type: 'got' })).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await sys.shutdown();
    }
  }, 30_000);
});
