import { describe, expect, it } from 'vitest';
import { place } from '../../../supervisor-trees/placement/index.ts';
import { input, node, request } from './fixtures.ts';

describe('place resources', () => {
  it('place - a request larger than any node is refused with memory figures', () => {
    const r = place(input([request('big', { resources: { cpu: 0.1, memoryMb: 512 } })], [node('cloud-1', 'cloud', { memoryMb: 128 })]));
    expect(r.unplaced[0]!.reasons).toEqual(['node cloud-1: needs 512 MB memory, 128 MB free']);
  });

  it('place - the refusal counts what already runs on the node', () => {
    const r = place(
      input([request('a', { resources: { cpu: 1.5, memoryMb: 100 }, replicas: 3 })], [node('n1', 'cloud', { cpu: 4, memoryMb: 1000 })]),
    );
    expect(r.assignments).toHaveLength(2);
    expect(r.unplaced).toEqual([{ app: 'shop', actor: 'a', replica: 2, reasons: ['node n1: needs 1.5 CPU, 1 CPU free'] }]);
  });

  it('place - an exact fit is accepted despite float sums', () => {
    const r = place(input([request('a', { resources: { cpu: 0.1, memoryMb: 0 }, replicas: 3 })], [node('n1', 'cloud', { cpu: 0.3 })]));
    expect(r.unplaced).toEqual([]);
    expect(r.assignments).toHaveLength(3);
  });

  it('place - overflow goes to the node that still has room', () => {
    const nodes = [node('a', 'edge1', { cpu: 1, memoryMb: 1024 }), node('b', 'edge1', { cpu: 1, memoryMb: 1024 })];
    const reqs = [request('x', { resources: { cpu: 1, memoryMb: 100 } }), request('y', { resources: { cpu: 1, memoryMb: 100 } })];
    const r = place(input(reqs, nodes));
    expect(r.assignments.map((a) => `${a.actor}@${a.node}`)).toEqual(['x@a', 'y@b']);
  });

  it('place - a kept instance on a node whose capacity shrank is rebalanced away', () => {
    const nodes = [node('a', 'edge1', { cpu: 1 }), node('b', 'edge1', { cpu: 4 })];
    const reqs = [request('x', { resources: { cpu: 1, memoryMb: 0 } }), request('y', { resources: { cpu: 1, memoryMb: 0 } })];
    const current = [
      { app: 'shop', actor: 'x', replica: 0, instanceId: 'x', site: 'edge1', node: 'a' },
      { app: 'shop', actor: 'y', replica: 0, instanceId: 'y', site: 'edge1', node: 'a' },
    ];
    const r = place(input(reqs, nodes, current));
    expect(r.assignments.map((a) => `${a.actor}@${a.node}`)).toEqual(['x@a', 'y@b']);
    expect(r.commands).toEqual([
      { type: 'stop', assignment: current[1], reason: 'rebalanced' },
      { type: 'start', assignment: { ...current[1]!, node: 'b' } },
    ]);
  });

  it('place - resources of several actors add up on one node', () => {
    const reqs = [request('x', { resources: { cpu: 0, memoryMb: 300 } }), request('y', { resources: { cpu: 0, memoryMb: 300 } })];
    const r = place(input(reqs, [node('n', 'cloud', { memoryMb: 500 })]));
    expect(r.assignments.map((a) => a.actor)).toEqual(['x']);
    expect(r.unplaced[0]!.reasons).toEqual(['node n: needs 300 MB memory, 200 MB free']);
  });
});
