import { describe, expect, it } from 'vitest';
import { place } from '../../../supervisor-trees/placement/index.ts';
import { dead, input, node, NOW, request, TIMEOUT } from './fixtures.ts';

describe('place failover', () => {
  const a = node('edge1-a', 'edge1');
  const b = node('edge1-b', 'edge1');
  const c = node('cloud-1', 'cloud', { cpu: 64, memoryMb: 65536 });

  it('place - an instance on a dead node moves to another node on the same site', () => {
    const first = place(input([request('cam')], [a, b, c], [{ app: 'shop', actor: 'cam', replica: 0, instanceId: 'cam', site: 'edge1', node: 'edge1-a' }]));
    expect(first.commands).toEqual([]);
    const r = place(input([request('cam')], [dead(a), b, c], first.assignments));
    expect(r.commands).toEqual([
      { type: 'move', from: first.assignments[0], to: { ...first.assignments[0]!, node: 'edge1-b' }, reason: 'node-dead' },
    ]);
    expect(r.assignments.map((x) => x.node)).toEqual(['edge1-b']);
  });

  it('place - failover leaves the site only when no node there fits', () => {
    const current = [{ app: 'shop', actor: 'cam', replica: 0, instanceId: 'cam', site: 'edge1', node: 'edge1-a' }];
    const r = place(input([request('cam')], [dead(a), dead(b), c], current));
    expect(r.commands).toEqual([{ type: 'move', from: current[0], to: { ...current[0]!, site: 'cloud', node: 'cloud-1' }, reason: 'node-dead' }]);
  });

  it('place - the node is still alive at exactly the timeout and dead just after', () => {
    const current = [{ app: 'shop', actor: 'cam', replica: 0, instanceId: 'cam', site: 'edge1', node: 'edge1-a' }];
    const atEdge = { ...a, lastSeen: NOW - TIMEOUT };
    expect(place(input([request('cam')], [atEdge, b], current)).commands).toEqual([]);
    expect(place(input([request('cam')], [{ ...atEdge, lastSeen: atEdge.lastSeen - 1 }, b], current)).commands[0]!.type).toBe('move');
  });

  it('place - with no eligible node the instance is stopped as node-dead and reported unplaced', () => {
    const current = [{ app: 'shop', actor: 'agent', replica: 0, instanceId: 'agent-edge1', site: 'edge1', node: 'edge1-a' }];
    const r = place(input([request('agent', { spread: 'one-per-site', sites: ['edge1'] })], [dead(a), c], current));
    expect(r.assignments).toEqual([]);
    expect(r.commands).toEqual([{ type: 'stop', assignment: current[0], reason: 'node-dead' }]);
    expect(r.unplaced).toEqual([
      { app: 'shop', actor: 'agent', replica: 0, reasons: ['node edge1-a: not seen for 5001 ms (timeout 5000 ms)'] },
    ]);
  });

  it('place - an unplaced failover stays quiet on the next run and starts when the node returns', () => {
    const current = [{ app: 'shop', actor: 'agent', replica: 0, instanceId: 'agent-edge1', site: 'edge1', node: 'edge1-a' }];
    const req = [request('agent', { spread: 'one-per-site', sites: ['edge1'] })];
    const down = place(input(req, [dead(a)], current));
    const again = place(input(req, [dead(a)], down.assignments));
    expect(again.commands).toEqual([]);
    expect(again.unplaced).toHaveLength(1);
    const back = place(input(req, [a], again.assignments));
    expect(back.commands).toEqual([{ type: 'start', assignment: current[0] }]);
  });

  it('place - an instance on a node missing from the registry is treated as dead', () => {
    const current = [{ app: 'shop', actor: 'cam', replica: 0, instanceId: 'cam', site: 'edge1', node: 'gone' }];
    const r = place(input([request('cam')], [b], current));
    expect(r.commands).toEqual([{ type: 'move', from: current[0], to: { ...current[0]!, node: 'edge1-b' }, reason: 'node-dead' }]);
  });

  it('place - failover of one replica does not disturb the replicas on live nodes', () => {
    const reqs = [request('w', { replicas: 2, spread: 'one-per-node', sites: ['edge1'] })];
    const first = place(input(reqs, [a, b])).assignments;
    const third = node('edge1-c', 'edge1');
    const r = place(input(reqs, [dead(a), b, third], first));
    expect(r.commands).toEqual([{ type: 'move', from: first[0], to: { ...first[0]!, node: 'edge1-c' }, reason: 'node-dead' }]);
  });
});
