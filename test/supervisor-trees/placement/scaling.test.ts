import { describe, expect, it } from 'vitest';
import { place } from '../../../supervisor-trees/placement/index.ts';
import { input, node, request } from './fixtures.ts';

describe('place scaling and removal', () => {
  const nodes = [node('n1', 'cloud'), node('n2', 'cloud')];

  it('place - scaling up keeps the running replicas and starts the new ones', () => {
    const first = place(input([request('w', { replicas: 1 })], nodes));
    const r = place(input([request('w', { replicas: 3 })], nodes, first.assignments));
    expect(r.commands.map((c) => (c.type === 'start' ? c.assignment.instanceId : c.type))).toEqual(['w-1', 'w-2']);
    expect(r.assignments[0]).toEqual(first.assignments[0]);
  });

  it('place - scaling down stops the highest replica index first', () => {
    const first = place(input([request('w', { replicas: 4 })], nodes));
    const r = place(input([request('w', { replicas: 2 })], nodes, first.assignments));
    expect(r.commands).toEqual([
      { type: 'stop', assignment: first.assignments[3], reason: 'no-longer-desired' },
      { type: 'stop', assignment: first.assignments[2], reason: 'no-longer-desired' },
    ]);
    expect(r.assignments.map((a) => a.instanceId)).toEqual(['w', 'w-1']);
  });

  it('place - scaling to zero stops everything without reporting it unplaced', () => {
    const first = place(input([request('w', { replicas: 2 })], nodes));
    const r = place(input([request('w', { replicas: 0 })], nodes, first.assignments));
    expect(r.assignments).toEqual([]);
    expect(r.unplaced).toEqual([]);
    expect(r.commands.map((c) => c.type)).toEqual(['stop', 'stop']);
  });

  it('place - removing a request stops all its assignments', () => {
    const first = place(input([request('w', { replicas: 2 }), request('keep')], nodes));
    const r = place(input([request('keep')], nodes, first.assignments));
    expect(r.commands).toEqual(
      first.assignments
        .filter((a) => a.actor === 'w')
        .reverse()
        .map((assignment) => ({ type: 'stop', assignment, reason: 'no-longer-desired' })),
    );
  });

  it('place - removing a request on a dead node still stops it as no longer desired', () => {
    const current = [{ app: 'shop', actor: 'old', replica: 0, instanceId: 'old', site: 'cloud', node: 'gone' }];
    const r = place(input([], nodes, current));
    expect(r.commands).toEqual([{ type: 'stop', assignment: current[0], reason: 'no-longer-desired' }]);
  });

  it('place - dropping a site from one-per-site stops that site replica', () => {
    const ns = [node('c', 'cloud'), node('e', 'edge1')];
    const first = place(input([request('agent', { spread: 'one-per-site' })], ns));
    const r = place(input([request('agent', { spread: 'one-per-site', sites: ['cloud'] })], ns, first.assignments));
    expect(r.commands).toEqual([{ type: 'stop', assignment: first.assignments[1], reason: 'no-longer-desired' }]);
  });

  it('place - freed capacity from a stop is reused in the same run', () => {
    const small = [node('n', 'cloud', { cpu: 1 })];
    const res = { cpu: 1, memoryMb: 0 };
    const first = place(input([request('old', { resources: res })], small));
    const r = place(input([request('new', { resources: res })], small, first.assignments));
    expect(r.commands.map((c) => c.type)).toEqual(['stop', 'start']);
    expect(r.unplaced).toEqual([]);
  });
});
