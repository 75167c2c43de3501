import { match } from 'ts-pattern';
import { defineActor } from '../../kernel/index.ts';

export type FlakyMsg = { type: 'work'; job: number; poison?: boolean };

/** Every `crashEvery`-th job fails on its first attempt (so the retry succeeds). */
export const FLAKY_CRASH_EVERY = 3;

/**
 * A worker that crashes: its handler throws on the first attempt at every third job, and always
 * on a job sent with `"poison": true`. With the default `onError: 'restart'` each throw crashes the
 * incarnation and its supervisor restarts it; the new incarnation retries the message. A poison
 * job fails all its attempts and lands in the dead letters (`cairn dlq ls`).
 */
export const Flaky = defineActor<FlakyMsg, { done: number }>({
  name: 'flaky',
  initialState: () => ({ done: 0 }),
  retry: { maxAttempts: 3, initialBackoffMs: 200, maxBackoffMs: 1_000 },
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'work' }, ({ job, poison }) => {
        if (poison === true) throw new Error(`job ${job} is poison`);
        if (job % FLAKY_CRASH_EVERY === 0 && ctx.attempt === 1) throw new Error(`job ${job} failed on its first attempt`);
        ctx.setState({ done: ctx.state.done + 1 });
      })
      .exhaustive(),
});
