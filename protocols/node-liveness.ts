/**
 * When a node counts as dead: one rule shared by the node registry, `cairn nodes`/`cairn ps` and
 * placement (failover).
 */

/** How often a node heartbeats into its site's node registry. @default 1000 */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;

/**
 * How many heartbeats in a row a node may miss before it is declared dead. Five rather than three:
 * edge nodes reach the cloud over leaf links (cellular, Wi-Fi) where a few seconds of jitter or a
 * GC pause is routine, and a false death is costly (placement starts the actors elsewhere while
 * the old copies may still run).
 */
export const DEFAULT_MISSED_HEARTBEATS = 5;

/** A node is alive while `now - lastSeen <= nodeTimeoutMs`. @default 5000 (5 missed heartbeats of 1 s) */
export const DEFAULT_NODE_TIMEOUT_MS = DEFAULT_HEARTBEAT_INTERVAL_MS * DEFAULT_MISSED_HEARTBEATS;

/** True while the node was heard from within `nodeTimeoutMs`; a `lastSeen` in the future (clock skew) counts as alive. */
export function isNodeAlive(node: { readonly lastSeen: number }, now: number, nodeTimeoutMs: number = DEFAULT_NODE_TIMEOUT_MS): boolean {
  return now - node.lastSeen <= nodeTimeoutMs;
}
