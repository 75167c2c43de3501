import type { SupervisorCommand } from './supervisor-command.ts';
import type { SupervisorState } from './supervisor-state.ts';

/**
 * Stopping a supervisor (or escalating): stop every running child in reverse start order, each
 * asked to shut down, given its shutdownMs, then killed. Empty when nothing runs.
 */
export function planShutdown(state: SupervisorState): SupervisorCommand[] {
  const ids = state.order.filter((id) => state.children[id]?.running === true).reverse();
  return ids.length === 0 ? [] : [{ type: 'stop', ids }];
}
