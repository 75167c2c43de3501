// Liveness is one rule for the whole system; it lives in protocols/ and placement uses it as is.
export { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_MISSED_HEARTBEATS, DEFAULT_NODE_TIMEOUT_MS, isNodeAlive } from '../../protocols/index.ts';
