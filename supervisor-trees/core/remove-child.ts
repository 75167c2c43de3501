import type { Plan } from './plan.ts';
import type { SupervisorState } from './supervisor-state.ts';

/**
 * Stops a child if it runs and forgets it (OTP terminate_child then delete_child). The runtime
 * does not report the stop back to planChildExit. Removing an unknown id changes nothing.
 */
export function removeChild(state: SupervisorState, id: string): Plan {
  const child = state.children[id];
  if (child === undefined) return { state, commands: [] };
  const children = { ...state.children };
  delete children[id];
  return {
    state: { ...state, order: state.order.filter((other) => other !== id), children },
    commands: child.running ? [{ type: 'stop', ids: [id] }, { type: 'remove', id }] : [{ type: 'remove', id }],
  };
}
