import { match } from 'ts-pattern';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import type { CounterMsg } from './counter.ts';

export interface Greeting {
  readonly greeting: string;
  /** The counter's total when the greeting was made: the greeter asks the counter for it. */
  readonly ticks: number;
  /** How many greetings this incarnation has made. */
  readonly greeted: number;
}

export type GreeterMsg = { type: 'greet'; name: string } & Asks<Greeting>;

/** Answers `greet` asks; to do so it asks the counter (an actor asking an actor). */
export const Greeter = defineActor<GreeterMsg, { greeted: number }>({
  name: 'greeter',
  initialState: () => ({ greeted: 0 }),
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'greet' }, async ({ name }) => {
        const { total } = await ctx.ask(ctx.ref<CounterMsg>('counter'), { type: 'get' } as const, { timeout: 2_000 });
        const greeted = ctx.state.greeted + 1;
        ctx.setState({ greeted });
        return { greeting: `Hello, ${String(name)}!`, ticks: total, greeted };
      })
      .exhaustive(),
});
