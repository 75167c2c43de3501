import type { SupervisorCommand } from './supervisor-command.ts';
import type { SupervisorState } from './supervisor-state.ts';

/**
 * Starting a supervisor: start every child in start order, at once. The state from
 * createSupervisorState already describes the result. If a start fails the runtime stops the
 * children already started (planShutdown) and the supervisor fails to start, as in OTP.
 */
export function planStartAll(state: SupervisorState): SupervisorCommand[] {
  const ids = state.order.filter((id) => state.children[id] !== undefined);
  return ids.length === 0 ? [] : [{ type: 'start', ids, delayMs: 0 }];
}
