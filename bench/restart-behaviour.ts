// The actor the restart benchmark crashes, in every runtime mode. Guests import this module by path
// (worker, process and container modes), so it depends on nothing but the kernel.
import { defineActor } from '../kernel/index.ts';
import type { Asks } from '../kernel/index.ts';

export type RestartMsg =
  /** Kills the incarnation: 'exit' ends the guest (process.exit(3)), 'throw' makes the handler throw. */
  | { type: 'crash'; how: 'exit' | 'throw' }
  /** Answers with the number of pings this incarnation handled (1 right after a restart). */
  | ({ type: 'ping' } & Asks<number>);

/**
 * One attempt: the crash message is dead-lettered at once (before the 'crashed' event), so the
 * first message the next incarnation handles is the ping queued behind it, not a retry.
 * onError 'restart' (the default) makes a throwing handler crash the incarnation.
 */
export const Crashy = defineActor<RestartMsg, { pings: number }>({
  name: 'crashy',
  initialState: () => ({ pings: 0 }),
  retry: { maxAttempts: 1, initialBackoffMs: 0, maxBackoffMs: 0 },
  receive: (msg, ctx) => {
    if (msg.type === 'ping') {
      const pings = ctx.state.pings + 1;
      ctx.setState({ pings });
      return pings;
    }
    if (msg.how === 'exit') process.exit(3);
    throw new Error('crash');
  },
});
