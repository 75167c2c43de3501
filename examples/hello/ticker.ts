import { match } from 'ts-pattern';
import { defineActor } from '../../kernel/index.ts';
import type { CounterMsg } from './counter.ts';
import type { FlakyMsg } from './flaky.ts';

export type TickerMsg = { type: 'tick' };

/** Tick period of the hello app's ticker. */
export const DEFAULT_TICK_MS = 1_000;

/**
 * Tells itself `tick` every `tickMs`; each tick adds 1 to the counter and gives the flaky worker a
 * job. The timer lives as long as the incarnation: it is cleared when `ctx.signal` aborts (stop
 * or crash), so shutdown leaves nothing behind.
 */
export function tickerActor(tickMs: number = DEFAULT_TICK_MS) {
  return defineActor<TickerMsg, { ticks: number }>({
    name: 'ticker',
    persist: true,
    initialState: { ticks: 0 },
    onStart: (ctx) => {
      const timer = setInterval(() => {
        ctx.tell(ctx.self, { type: 'tick' }).catch((err: unknown) => {
          // A tick racing the shutdown is expected to fail; anything else is worth a log line.
          if (!ctx.signal.aborted) ctx.log.warn({ err }, 'ticker could not send a tick');
        });
      }, tickMs);
      ctx.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    },
    receive: (msg, ctx) =>
      match(msg)
        .with({ type: 'tick' }, async () => {
          const ticks = ctx.state.ticks + 1;
          await ctx.tell(ctx.ref<CounterMsg>('counter'), { type: 'add', by: 1 });
          await ctx.tell(ctx.ref<FlakyMsg>('flaky'), { type: 'work', job: ticks });
          ctx.setState({ ticks });
        })
        .exhaustive(),
  });
}
