// A third-party module: `module: ./threshold.ts` in a manifest. Its config schema is checked by
// `cairn apply` (each problem at its path, defaults filled in) before anything is stored, and
// `source` lets it run in a worker, a process or a container as well as inline.
// In a project of your own, import from 'cairn/module' instead of the repository's folders.
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { defineActor, defineModule } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';

export const ThresholdConfig = Type.Object(
  {
    to: Type.String({ minLength: 1, description: 'Id of the actor that gets readings above the threshold.' }),
    above: Type.Number({ description: 'Readings whose field is greater than this are forwarded.' }),
    field: Type.String({ minLength: 1, default: 'value', description: 'The reading field compared.' }),
  },
  { additionalProperties: false },
);
export type ThresholdConfig = Static<typeof ThresholdConfig>;

export type ThresholdMsg = ({ type: 'reading' } & Record<string, unknown>) | ({ type: 'passed' } & Asks<number>);

/** What it sends: the reading, retyped, with the threshold it passed. */
export type TallyAlert = { type: 'alert'; above: number } & Record<string, unknown>;

/** Forwards each reading above `above` to `to` as an `alert`; counts what it forwarded. */
export const ThresholdActor = defineActor<ThresholdMsg, { passed: number }, ThresholdConfig>({
  name: 'threshold',
  persist: true,
  initialState: { passed: 0 },
  receive: async (msg, ctx) => {
    if (msg.type === 'passed') return ctx.state.passed;
    const value = msg[ctx.config.field];
    if (typeof value !== 'number' || value <= ctx.config.above) return undefined;
    await ctx.tell(ctx.ref<TallyAlert>(ctx.config.to), { ...msg, type: 'alert', above: ctx.config.above });
    ctx.setState({ passed: ctx.state.passed + 1 });
    return undefined;
  },
});

export default defineModule({
  name: 'acme/threshold',
  description: 'Forwards readings above a threshold to another actor',
  config: ThresholdConfig,
  behaviour: ThresholdActor,
  source: { url: import.meta.url, export: 'ThresholdActor' },
});
