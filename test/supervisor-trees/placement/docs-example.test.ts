import { describe, expect, it } from 'vitest';
import { place } from '../../../supervisor-trees/placement/index.ts';
import type { PlacementRequest } from '../../../supervisor-trees/placement/index.ts';
import { dead, input, node } from './fixtures.ts';

// Keeps the walk-through in docs/placement.md honest.
describe('place docs example', () => {
  const requests: PlacementRequest[] = [
    { app: 'shop', actor: 'agent', replicas: 1, spread: 'one-per-site', resources: { cpu: 0.1, memoryMb: 64 } },
    { app: 'shop', actor: 'cam', replicas: 2, sites: ['edge1'], spread: 'one-per-node', resources: { cpu: 1, memoryMb: 256 } },
  ];
  const nodes = [node('cloud-1', 'cloud'), node('edge1-a', 'edge1'), node('edge1-b', 'edge1')];

  it('place - docs example places and then fails over as documented', () => {
    const first = place(input(requests, nodes));
    expect(first.assignments.map((a) => `${a.instanceId}@${a.node}`)).toEqual([
      'agent-cloud@cloud-1',
      'agent-edge1@edge1-a',
      'cam@edge1-b',
      'cam-1@edge1-a',
    ]);
    const after = place(input(requests, [nodes[0]!, dead(nodes[1]!), nodes[2]!], first.assignments));
    expect(after.commands.map((c) => (c.type === 'move' ? `move ${c.from.instanceId} ${c.from.node} -> ${c.to.node}` : `${c.type} ${c.assignment.instanceId} (${'reason' in c ? c.reason : ''})`))).toEqual([
      'stop cam-1 (node-dead)',
      'move agent-edge1 edge1-a -> edge1-b',
    ]);
    expect(after.unplaced).toEqual([
      {
        app: 'shop',
        actor: 'cam',
        replica: 1,
        reasons: [
          'node cloud-1: site cloud not in requested sites [edge1]',
          'node edge1-a: not seen for 5001 ms (timeout 5000 ms)',
          'node edge1-b: already runs replica 0 of shop/cam (spread one-per-node)',
        ],
      },
    ]);
  });
});
