import type { ChildSpec } from './child-spec.ts';
import type { ChildState } from './child-state.ts';
import type { SupervisorFlags } from './supervisor-flags.ts';
import type { SupervisorState } from './supervisor-state.ts';

/**
 * The state of a supervisor once planStartAll's commands have run: every child running since
 * `now`, in the given start order, no restarts yet. Pass specs from resolveChildSpecs (unique ids).
 */
export function createSupervisorState(
  flags: SupervisorFlags,
  specs: readonly Pick<ChildSpec, 'id' | 'restart'>[],
  now: number,
): SupervisorState {
  const children: Record<string, ChildState> = {};
  for (const { id, restart } of specs) children[id] = { id, restart, running: true, consecutive: 0, startedAt: now };
  return { flags, order: specs.map((s) => s.id), children, window: [] };
}
