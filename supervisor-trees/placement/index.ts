/** Placement: which node of which site runs each replica. Pure decisions; an executor acts. */
export { place } from './place.ts';
export { isNodeAlive, DEFAULT_NODE_TIMEOUT_MS, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_MISSED_HEARTBEATS } from './node-liveness.ts';
export { validatePlacementInput } from './validate-placement-input.ts';
export { InvalidPlacementInputError } from './invalid-placement-input-error.ts';
export { instanceIdFor } from './instance-id.ts';
export { Spread } from './spread.ts';
export { StopReason } from './placement-command.ts';

export type { NodeInfo } from './node-info.ts';
export type { Resources } from './resources.ts';
export type { PlacementRequest } from './placement-request.ts';
export type { Assignment } from './assignment.ts';
export type { PlacementInput } from './placement-input.ts';
export type { PlacementResult, Unplaced } from './placement-result.ts';
export type { PlacementCommand } from './placement-command.ts';
