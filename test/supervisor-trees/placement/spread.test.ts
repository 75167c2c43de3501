import { describe, expect, it } from 'vitest';
import { place } from '../../../supervisor-trees/placement/index.ts';
import { input, node, request } from './fixtures.ts';

describe('place spread', () => {
  const nodes = [
    node('cloud-1', 'cloud'),
    node('edge1-a', 'edge1'),
    node('edge1-b', 'edge1'),
    node('edge2-a', 'edge2', { labels: { camera: 'yes' } }),
  ];

  it('place - one-per-site puts one replica on each site, ignoring replicas', () => {
    const r = place(input([request('agent', { spread: 'one-per-site', replicas: 7 })], nodes));
    expect(r.assignments.map((a) => [a.replica, a.instanceId, a.site])).toEqual([
      [0, 'agent-cloud', 'cloud'],
      [1, 'agent-edge1', 'edge1'],
      [2, 'agent-edge2', 'edge2'],
    ]);
  });

  it('place - one-per-site only targets sites with a node matching the selector', () => {
    const r = place(input([request('cam', { spread: 'one-per-site', nodeSelector: { camera: 'yes' } })], nodes));
    expect(r.assignments.map((a) => a.instanceId)).toEqual(['cam-edge2']);
  });

  it('place - one-per-site with a listed site that has no nodes reports it unplaced', () => {
    const r = place(input([request('agent', { spread: 'one-per-site', sites: ['edge1', 'edge9'] })], nodes));
    expect(r.assignments.map((a) => a.instanceId)).toEqual(['agent-edge1']);
    expect(r.unplaced).toEqual([{ app: 'shop', actor: 'agent', replica: 1, reasons: ['site edge9: no nodes registered'] }]);
  });

  it('place - one-per-site with no matching node anywhere is unplaced without a replica', () => {
    const r = place(input([request('gpu', { spread: 'one-per-site', nodeSelector: { gpu: 'true' } })], nodes.slice(0, 2)));
    expect(r.unplaced).toEqual([
      { app: 'shop', actor: 'gpu', reasons: ['node cloud-1: label gpu=true missing', 'node edge1-a: label gpu=true missing'] },
    ]);
  });

  it('place - one-per-site picks the least-loaded node within the site', () => {
    const busy = [node('edge1-a', 'edge1', { cpu: 1 }), node('edge1-b', 'edge1', { cpu: 4 })];
    const r = place(input([request('agent', { spread: 'one-per-site' })], busy));
    expect(r.assignments.map((a) => a.node)).toEqual(['edge1-b']);
  });

  it('place - one-per-node never doubles up and reports the surplus', () => {
    const r = place(input([request('w', { spread: 'one-per-node', replicas: 3, sites: ['edge1'] })], nodes));
    expect(r.assignments.map((a) => a.node)).toEqual(['edge1-a', 'edge1-b']);
    expect(r.unplaced).toEqual([
      {
        app: 'shop',
        actor: 'w',
        replica: 2,
        reasons: [
          'node cloud-1: site cloud not in requested sites [edge1]',
          'node edge1-a: already runs replica 0 of shop/w (spread one-per-node)',
          'node edge1-b: already runs replica 1 of shop/w (spread one-per-node)',
          'node edge2-a: site edge2 not in requested sites [edge1]',
        ],
      },
    ]);
  });

  it('place - none spreads replicas over the least-loaded nodes', () => {
    const r = place(input([request('w', { replicas: 4, sites: ['edge1'] })], nodes));
    expect(r.assignments.map((a) => `${a.instanceId}@${a.node}`)).toEqual(['w@edge1-a', 'w-1@edge1-b', 'w-2@edge1-a', 'w-3@edge1-b']);
  });

  it('place - none packs several replicas on one node when it is the only one', () => {
    const r = place(input([request('w', { replicas: 3 })], [node('solo', 'cloud')]));
    expect(r.assignments.map((a) => a.node)).toEqual(['solo', 'solo', 'solo']);
  });

  it('place - none prefers the node with the larger free share, ties by node id', () => {
    const ns = [node('b', 'cloud', { cpu: 8, memoryMb: 8192 }), node('a', 'cloud', { cpu: 2, memoryMb: 2048 })];
    expect(place(input([request('w')], ns)).assignments[0]!.node).toBe('b');
    const same = [node('b', 'cloud'), node('a', 'cloud')];
    expect(place(input([request('w')], same)).assignments[0]!.node).toBe('a');
  });

  it('place - switching to one-per-node moves the doubled-up replica away', () => {
    const ns = [node('a', 'cloud'), node('b', 'cloud')];
    const before = place(input([request('w', { replicas: 2 })], [ns[0]!])).assignments;
    const r = place(input([request('w', { replicas: 2, spread: 'one-per-node' })], ns, before));
    expect(r.assignments.map((a) => `${a.instanceId}@${a.node}`)).toEqual(['w@a', 'w-1@b']);
    expect(r.commands.map((c) => c.type)).toEqual(['stop', 'start']);
  });
});
