import { match } from 'ts-pattern';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';

export type CounterMsg = { type: 'add'; by: number } | ({ type: 'get' } & Asks<{ total: number }>);

/** Adds up what it is told. Its state is persisted, so the total survives restarts of `cairn up`. */
export const Counter = defineActor<CounterMsg, { total: number }>({
  name: 'counter',
  persist: true,
  initialState: { total: 0 },
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'add' }, ({ by }) => ctx.setState({ total: ctx.state.total + by }))
      .with({ type: 'get' }, () => ({ total: ctx.state.total }))
      .exhaustive(),
});
