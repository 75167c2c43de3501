import { describe, expect, it } from 'vitest';
import { place } from '../../../supervisor-trees/placement/index.ts';
import { input, node, request } from './fixtures.ts';

describe('place stability', () => {
  const nodes = [node('cloud-1', 'cloud'), node('edge1-a', 'edge1'), node('edge1-b', 'edge1')];
  const reqs = [
    request('agent', { spread: 'one-per-site' }),
    request('w', { replicas: 3 }),
    request('p', { spread: 'one-per-node', replicas: 2, sites: ['edge1'] }),
  ];

  it('place - first run starts every assignment', () => {
    const r = place(input(reqs, nodes));
    expect(r.commands.every((c) => c.type === 'start')).toBe(true);
    expect(r.commands).toHaveLength(r.assignments.length);
  });

  it('place - re-running on its own result produces no commands', () => {
    const first = place(input(reqs, nodes));
    const second = place(input(reqs, nodes, first.assignments));
    expect(second.commands).toEqual([]);
    expect(second.assignments).toEqual(first.assignments);
  });

  it('place - a new, emptier node does not attract running instances', () => {
    const first = place(input(reqs, nodes));
    const second = place(input(reqs, [...nodes, node('edge1-c', 'edge1', { cpu: 64, memoryMb: 65536 })], first.assignments));
    expect(second.commands).toEqual([]);
  });

  it('place - adding a request only starts the new one', () => {
    const first = place(input(reqs, nodes));
    const second = place(input([...reqs, request('extra')], nodes, first.assignments));
    expect(second.commands.map((c) => (c.type === 'start' ? c.assignment.actor : c.type))).toEqual(['extra']);
  });

  it('place - a new site gets its one-per-site replica without touching the others', () => {
    const first = place(input(reqs, nodes));
    const second = place(input(reqs, [...nodes, node('edge2-a', 'edge2')], first.assignments));
    expect(second.commands.map((c) => (c.type === 'start' ? c.assignment.instanceId : c.type))).toEqual(['agent-edge2']);
  });

  it('place - kept assignments are reported in canonical form even if current carries a stale site', () => {
    const current = [{ app: 'shop', actor: 'w', replica: 0, instanceId: 'w', site: 'stale', node: 'cloud-1' }];
    const r = place(input([request('w')], nodes, current));
    expect(r.commands).toEqual([]);
    expect(r.assignments).toEqual([{ ...current[0], site: 'cloud' }]);
  });

  it('place - a duplicate instance in current is stopped, one copy kept', () => {
    const a = { app: 'shop', actor: 'w', replica: 0, instanceId: 'w', site: 'edge1', node: 'edge1-a' };
    const r = place(input([request('w')], nodes, [a, { ...a, node: 'edge1-b' }]));
    expect(r.assignments).toEqual([a]);
    expect(r.commands).toEqual([{ type: 'stop', assignment: { ...a, node: 'edge1-b' }, reason: 'rebalanced' }]);
  });

  it('place - draining a node rebalances its instances to another node', () => {
    const first = place(input([request('w')], nodes)).assignments;
    expect(first[0]!.node).toBe('cloud-1');
    const drained = nodes.map((n) => (n.id === 'cloud-1' ? { ...n, draining: true } : n));
    const r = place(input([request('w')], drained, first));
    expect(r.commands).toEqual([
      { type: 'stop', assignment: first[0], reason: 'rebalanced' },
      { type: 'start', assignment: { ...first[0]!, site: 'edge1', node: 'edge1-a' } },
    ]);
  });

  it('place - a label change that breaks the selector stops the instance and reports why', () => {
    const gpuNode = node('g', 'cloud', { labels: { gpu: 'true' } });
    const first = place(input([request('infer', { nodeSelector: { gpu: 'true' } })], [gpuNode])).assignments;
    const relabelled = { ...gpuNode, labels: { ...gpuNode.labels, gpu: 'false' } };
    const r = place(input([request('infer', { nodeSelector: { gpu: 'true' } })], [relabelled], first));
    expect(r.commands).toEqual([{ type: 'stop', assignment: first[0], reason: 'rebalanced' }]);
    expect(r.unplaced[0]!.reasons).toEqual(['node g: label gpu=false, needs gpu=true']);
  });
});
