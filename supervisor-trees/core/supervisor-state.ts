import type { ChildState } from './child-state.ts';
import type { SupervisorFlags } from './supervisor-flags.ts';

/** Everything the planner needs about one supervisor. Planners never mutate it; they return a new one. */
export interface SupervisorState {
  flags: SupervisorFlags;
  /** Child ids in start order; children stop in the reverse. */
  order: string[];
  children: Record<string, ChildState>;
  /** Times of recent restarts, oldest first; see addRestart. */
  window: number[];
}
