import type { RestartType } from './restart-type.ts';

/** What the planner knows about one child. */
export interface ChildState {
  id: string;
  restart: RestartType;
  /** True while the child runs or a start for it has been planned (possibly delayed by backoff). */
  running: boolean;
  /** Failures in a row, for backoff; see nextConsecutive. 0 for a child that never failed. */
  consecutive: number;
  /** When the child started, or will start once a planned delay has passed. */
  startedAt: number;
}
