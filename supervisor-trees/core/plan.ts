import type { SupervisorCommand } from './supervisor-command.ts';
import type { SupervisorState } from './supervisor-state.ts';

/** A planner's answer: the state once the commands have run, and the commands, in order. */
export interface Plan {
  state: SupervisorState;
  commands: SupervisorCommand[];
}
