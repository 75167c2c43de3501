import { describe, expect, it } from 'vitest';
import { place } from '../../../supervisor-trees/placement/index.ts';
import { dead, input, node, request } from './fixtures.ts';

describe('place determinism', () => {
  const nodes = [node('c', 'cloud'), node('e1', 'edge1'), node('e2', 'edge1'), dead(node('e3', 'edge2'))];
  const reqs = [
    request('b', { replicas: 3 }),
    request('a', { spread: 'one-per-site' }),
    request('z', { app: 'other', spread: 'one-per-node', replicas: 5 }),
  ];

  it('place - the same input in any order gives the same output', () => {
    const one = place(input(reqs, nodes));
    const two = place(input([...reqs].reverse(), [...nodes].reverse()));
    expect(two).toEqual(one);
  });

  it('place - output lists are sorted by app, actor and replica', () => {
    const r = place(input(reqs, nodes));
    const keys = r.assignments.map((a) => `${a.app}/${a.actor}/${a.replica}`);
    expect(keys).toEqual([...keys].sort());
    expect(r.unplaced.map((u) => `${u.app}/${u.actor}/${u.replica}`)).toEqual(['other/z/3', 'other/z/4', 'shop/a/2']);
  });

  it('place - does not mutate its input', () => {
    const inp = input(reqs, nodes);
    const snapshot = structuredClone(inp);
    place(inp);
    expect(inp).toEqual(snapshot);
  });
});
