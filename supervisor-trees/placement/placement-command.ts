import { compareAssignments } from './assignment.ts';
import type { Assignment } from './assignment.ts';

/** Why placement asks a node to stop an instance. */
export const StopReason = {
  /** The node is dead and no other node can take the instance (it is reported unplaced). */
  NodeDead: 'node-dead',
  /** The request is gone, or the replica count went down. */
  NoLongerDesired: 'no-longer-desired',
  /** The node is alive but no longer fits: draining, labels or sites changed, over capacity. */
  Rebalanced: 'rebalanced',
} as const;

export type StopReason = (typeof StopReason)[keyof typeof StopReason];

/** What a thin executor must do to turn the current assignments into the new ones. */
export type PlacementCommand =
  | { type: 'start'; assignment: Assignment }
  | { type: 'stop'; assignment: Assignment; reason: StopReason }
  | { type: 'move'; from: Assignment; to: Assignment; reason: 'node-dead' };

/** Stops first (they free capacity the others may use), then moves, then starts. */
const TYPE_ORDER: Record<PlacementCommand['type'], number> = { stop: 0, move: 1, start: 2 };

function subject(c: PlacementCommand): Assignment {
  return c.type === 'move' ? c.from : c.assignment;
}

export function compareCommands(a: PlacementCommand, b: PlacementCommand): number {
  const byType = TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
  if (byType !== 0) return byType;
  // Scale-down stops the highest replica first.
  if (a.type === 'stop' && b.type === 'stop') {
    const sa = subject(a);
    const sb = subject(b);
    if (sa.app === sb.app && sa.actor === sb.actor && sa.replica !== sb.replica) return sb.replica - sa.replica;
  }
  return compareAssignments(subject(a), subject(b));
}
