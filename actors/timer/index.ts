// cairn/timer: sends an actor a message on a schedule.
import { defineModule } from '../../kernel/index.ts';
import { TimerActor } from './timer-actor.ts';
import { TimerConfig } from './timer-config.ts';

export const TimerModule = defineModule({
  name: 'cairn/timer',
  description: 'Sends an actor of its site a message every everyMs milliseconds, count times or without end',
  config: TimerConfig,
  behaviour: TimerActor,
  // Its interval lives in the node's event loop (a guest can only send while handling a message).
  modes: ['inline'],
});

export { TimerActor } from './timer-actor.ts';
export type { TimerMsg, TimerStatus } from './timer-actor.ts';
export { TimerConfig } from './timer-config.ts';
