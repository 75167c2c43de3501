import type { Assignment } from './assignment.ts';
import type { PlacementCommand } from './placement-command.ts';

/** A replica (or, with no target site at all, a whole one-per-site request) no node could take. */
export interface Unplaced {
  app: string;
  actor: string;
  replica?: number;
  /** One line per refused node, e.g. "node cloud-1: needs 512 MB memory, 128 MB free". */
  reasons: string[];
}

export interface PlacementResult {
  /** The complete new set, sorted; feed it back as `current` next time. */
  assignments: Assignment[];
  unplaced: Unplaced[];
  commands: PlacementCommand[];
}
