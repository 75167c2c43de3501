// The end of examples/modules/pipeline.yaml: counts the alerts it gets and keeps the last one.
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';

export type TallyMsg = ({ type: 'alert' } & Record<string, unknown>) | ({ type: 'count' } & Asks<{ alerts: number; last?: unknown }>);

export default defineActor<TallyMsg, { alerts: number; last?: unknown }>({
  name: 'tally',
  persist: true,
  initialState: { alerts: 0 },
  receive: (msg, ctx) => {
    if (msg.type === 'count') return ctx.state;
    ctx.setState({ alerts: ctx.state.alerts + 1, last: msg });
    return undefined;
  },
});
