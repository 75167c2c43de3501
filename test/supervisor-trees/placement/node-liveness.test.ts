import { describe, expect, it } from 'vitest';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_NODE_TIMEOUT_MS, isNodeAlive } from '../../../supervisor-trees/placement/index.ts';

describe('isNodeAlive', () => {
  it('isNodeAlive - alive exactly at the timeout boundary', () => {
    expect(isNodeAlive({ lastSeen: 1000 }, 6000, 5000)).toBe(true);
  });
  it('isNodeAlive - dead one millisecond past the timeout', () => {
    expect(isNodeAlive({ lastSeen: 1000 }, 6001, 5000)).toBe(false);
  });
  it('isNodeAlive - a lastSeen ahead of now (clock skew) counts as alive', () => {
    expect(isNodeAlive({ lastSeen: 9000 }, 6000, 5000)).toBe(true);
  });
  it('DEFAULT_NODE_TIMEOUT_MS - spans several missed heartbeats', () => {
    expect(DEFAULT_NODE_TIMEOUT_MS).toBe(5000);
    expect(DEFAULT_NODE_TIMEOUT_MS / DEFAULT_HEARTBEAT_INTERVAL_MS).toBeGreaterThanOrEqual(3);
  });
});
