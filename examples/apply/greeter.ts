// The behaviour of examples/apply/hello-app.yaml. A factory: the app controller calls it with the
// actor's manifest `config`, so `cairn apply` of a new greeting changes what the actor replies.
import { match } from 'ts-pattern';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';

export type GreeterMsg = ({ type: 'greet'; name?: string } & Asks<string>) | { type: 'crash' };

export default function greeter(config: Readonly<Record<string, unknown>>) {
  const greeting = typeof config.greeting === 'string' ? config.greeting : 'hello';
  return defineActor<GreeterMsg>({
    name: 'greeter',
    receive: (msg) =>
      match(msg)
        .with({ type: 'greet' }, ({ name }) => `${greeting}, ${name ?? 'world'}`)
        .with({ type: 'crash' }, () => {
          throw new Error('crash requested');
        })
        .exhaustive(),
  });
}
