import type { NodeInfo } from './node-info.ts';

/**
 * How often a node heartbeats.
 * @default 1000
 */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;

/**
 * How many heartbeats in a row a node may miss before placement calls it dead.
 * Five rather than three: edge nodes reach the cloud over leaf links (cellular, Wi-Fi) where a
 * few seconds of jitter or a GC pause is routine, and a false death is costly — the actor is
 * started elsewhere while the old copy may still be running until its node hears the stop.
 */
export const DEFAULT_MISSED_HEARTBEATS = 5;

/**
 * A node is alive while `now - lastSeen <= nodeTimeoutMs`.
 * @default 5000 (5 missed heartbeats of 1 s)
 */
export const DEFAULT_NODE_TIMEOUT_MS = DEFAULT_HEARTBEAT_INTERVAL_MS * DEFAULT_MISSED_HEARTBEATS;

/**
 * True while the node has been heard from within `nodeTimeoutMs`. A `lastSeen` in the future
 * (clock skew between sites) counts as alive.
 */
export function isNodeAlive(node: Pick<NodeInfo, 'lastSeen'>, now: number, nodeTimeoutMs: number): boolean {
  return now - node.lastSeen <= nodeTimeoutMs;
}
