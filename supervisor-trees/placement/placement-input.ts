import type { Assignment } from './assignment.ts';
import type { NodeInfo } from './node-info.ts';
import type { PlacementRequest } from './placement-request.ts';

/** Everything placement decides from. `now` is an input so that `place` never reads a clock. */
export interface PlacementInput {
  requests: PlacementRequest[];
  nodes: NodeInfo[];
  /** The assignments in force, usually the previous result's `assignments`. */
  current: Assignment[];
  now: number;
  /** See DEFAULT_NODE_TIMEOUT_MS. */
  nodeTimeoutMs: number;
}
