import { match } from 'ts-pattern';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import type { TimerConfig } from './timer-config.ts';

/** What a timer handles: its own ticks, and a status question. */
export type TimerMsg = { type: 'tick' } | ({ type: 'status' } & Asks<TimerStatus>);

/** How many messages a timer has sent (persisted: a restart goes on counting). */
export interface TimerStatus {
  readonly sent: number;
  readonly count?: number;
}

/**
 * Every `everyMs` it tells itself `tick` (so ticks queue in its mailbox and a crash loses none),
 * and each tick tells `to` the configured message with `tick: n` added, until `count` were sent.
 * The timer runs in the node's event loop: its interval lives with the incarnation and stops with it.
 */
export const TimerActor = defineActor<TimerMsg, { sent: number }, TimerConfig>({
  name: 'timer',
  persist: true,
  initialState: { sent: 0 },
  onStart: (ctx) => {
    if (ctx.config.count !== undefined && ctx.state.sent >= ctx.config.count) return;
    const interval = setInterval(() => {
      // Done: no more ticks to store (the state is the incarnation's latest).
      if (ctx.config.count !== undefined && ctx.state.sent >= ctx.config.count) return clearInterval(interval);
      ctx.self.tell({ type: 'tick' }).catch((err: unknown) => ctx.log.warn({ err }, 'timer: tick not stored; the next one will be'));
    }, ctx.config.everyMs);
    ctx.signal.addEventListener('abort', () => clearInterval(interval), { once: true });
  },
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'tick' }, async () => {
        const { count, to, message } = ctx.config;
        if (count !== undefined && ctx.state.sent >= count) return;
        const tick = ctx.state.sent + 1;
        await ctx.tell(ctx.ref<{ type: string; tick: number }>(to), { ...message, tick });
        ctx.setState({ sent: tick });
      })
      .with({ type: 'status' }, (): TimerStatus => ({ sent: ctx.state.sent, ...(ctx.config.count === undefined ? {} : { count: ctx.config.count }) }))
      .exhaustive(),
});
