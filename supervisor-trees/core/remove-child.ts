import type { SupervisorCommand } from './supervisor-command.ts';
import type { Plan } from './plan.ts';
import type { UpdateOptions } from './add-child.ts';
import type { SupervisorState } from './supervisor-state.ts';

/**
 * Stops a child if it runs and forgets it (OTP terminate_child then delete_child). The runtime
 * does not report the stop back to planChildExit. Removing an unknown id changes nothing.
 */
export function removeChild(state: SupervisorState, id: string, opts: UpdateOptions = {}): Plan {
  const child = state.children[id];
  if (child === undefined) return { state, commands: [] };
  const commands: SupervisorCommand[] = child.running ? [{ type: 'stop', ids: [id] }, { type: 'remove', id }] : [{ type: 'remove', id }];
  if (opts.inPlace) {
    state.order.splice(state.order.indexOf(id), 1);
    delete state.children[id];
    return { state, commands };
  }
  const children = { ...state.children };
  delete children[id];
  return {
    state: { ...state, order: state.order.filter((other) => other !== id), children },
    commands,
  };
}
