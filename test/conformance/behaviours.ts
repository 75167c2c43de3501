// The behaviour every conformance mode runs. Guests import this module by path (worker and
// process modes), so it must not depend on anything test-local beyond the kernel.
import { match } from 'ts-pattern';
import { defineActor, defineRemoteActor } from '../../kernel/index.ts';
import type { Asks, RetryPolicy } from '../../kernel/index.ts';

export type ConfMsg =
  | { type: 'inc'; by: number }
  | ({ type: 'get' } & Asks<number>)
  /** Always throws: after the last attempt the message is dead-lettered. */
  | { type: 'boom' }
  /** Dies on the first attempt ('exit': the guest exits with code 3; 'throw': the handler throws), succeeds on the retry. */
  | ({ type: 'crash'; how: 'exit' | 'throw' } & Asks<string>)
  /** Tells actor `to` (same site) `{ type: 'inc', by }`, with a time to live when `ttl` (ms) is given. */
  | { type: 'forward'; to: string; by: number; ttl?: number }
  /** Asks actor `to` (same site) `{ type: 'get' }` and replies with its answer. */
  | ({ type: 'ask-other'; to: string } & Asks<number>)
  /** Replies with ctx.config. */
  | ({ type: 'config' } & Asks<Readonly<Record<string, unknown>>>);

export type ConfState = { n: number };

/** Short backoff, two attempts: failure paths finish quickly. */
export const CONF_RETRY: Partial<RetryPolicy> = { maxAttempts: 2, initialBackoffMs: 5, maxBackoffMs: 20 };

export const ConfCounter = defineActor<ConfMsg, ConfState>({
  name: 'conf-counter',
  persist: true,
  initialState: { n: 0 },
  retry: CONF_RETRY,
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'inc' }, ({ by }) => ctx.setState({ n: ctx.state.n + by }))
      .with({ type: 'get' }, () => ctx.state.n)
      .with({ type: 'boom' }, () => {
        throw new Error('boom');
      })
      .with({ type: 'crash' }, ({ how }) => {
        if (ctx.attempt > 1) return 'survived';
        if (how === 'exit') process.exit(3);
        throw new Error('crash');
      })
      .with({ type: 'forward' }, ({ to, by, ttl }) => ctx.tell(ctx.ref<ConfMsg>(to), { type: 'inc', by }, ttl === undefined ? undefined : { ttl }))
      .with({ type: 'ask-other' }, ({ to }) => ctx.ask(ctx.ref<ConfMsg>(to), { type: 'get' }, { timeout: 10_000 }))
      .with({ type: 'config' }, () => ctx.config)
      .exhaustive(),
});

/** The same policies for a guest in another language (examples/python-actor/counter.py). */
export const RemoteConfCounter = defineRemoteActor<ConfMsg, ConfState>({ name: 'py-counter', persist: true, retry: CONF_RETRY });
