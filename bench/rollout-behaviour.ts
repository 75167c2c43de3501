// The actor the rollout benchmark deploys (three copies per site, inline): it does nothing until
// asked, so what is measured is getting it running, not its work.
import { defineActor } from '../kernel/index.ts';
import type { Asks } from '../kernel/index.ts';

export type IdleMsg = { type: 'ping' } & Asks<string>;

export const Idle = defineActor<IdleMsg>({
  name: 'rollout-idle',
  receive: () => 'pong',
});
