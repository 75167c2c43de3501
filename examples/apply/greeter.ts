// The behaviour of examples/apply/hello-app.yaml. Its manifest `config` arrives as ctx.config (in
// every execution mode), so `cairn apply` of a new greeting changes what the actor replies.
import { match } from 'ts-pattern';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';

export type GreeterMsg = ({ type: 'greet'; name?: string } & Asks<string>) | { type: 'crash' };

export default defineActor<GreeterMsg, undefined, { readonly greeting?: string }>({
  name: 'greeter',
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'greet' }, ({ name }) => `${ctx.config.greeting ?? 'hello'}, ${name ?? 'world'}`)
      .with({ type: 'crash' }, () => {
        throw new Error('crash requested');
      })
      .exhaustive(),
});
