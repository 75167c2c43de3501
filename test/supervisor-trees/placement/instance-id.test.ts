import { describe, expect, it } from 'vitest';
import { isName } from '../../../protocols/names.ts';
import { instanceIdFor } from '../../../supervisor-trees/placement/index.ts';

describe('instanceIdFor', () => {
  it('instanceIdFor - replica 0 keeps the bare actor id so scaling up does not rename it', () => {
    expect(instanceIdFor('cam', 'none', 0)).toBe('cam');
    expect(instanceIdFor('cam', 'one-per-node', 2)).toBe('cam-2');
  });
  it('instanceIdFor - one-per-site instances are named after their site and are NATS tokens', () => {
    const id = instanceIdFor('agent', 'one-per-site', 3, 'edge_1');
    expect(id).toBe('agent-edge_1');
    expect(isName(id)).toBe(true);
  });
});
