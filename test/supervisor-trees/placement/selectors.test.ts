import { describe, expect, it } from 'vitest';
import { place } from '../../../supervisor-trees/placement/index.ts';
import { input, node, request } from './fixtures.ts';

describe('place selectors', () => {
  const nodes = [node('cloud-1', 'cloud'), node('edge1-a', 'edge1'), node('edge2-a', 'edge2', { labels: { gpu: 'true' } })];

  it('place - sites restricts placement to the listed sites', () => {
    const r = place(input([request('cam', { sites: ['edge1'] })], nodes));
    expect(r.assignments.map((a) => a.node)).toEqual(['edge1-a']);
    expect(r.assignments[0]!.site).toBe('edge1');
  });

  it('place - nodeSelector requires every label to match', () => {
    const r = place(input([request('infer', { nodeSelector: { gpu: 'true', arch: 'arm64' } })], nodes));
    expect(r.assignments.map((a) => a.node)).toEqual(['edge2-a']);
  });

  it('place - nodeSelector on site works through the implicit site label', () => {
    const r = place(input([request('cam', { nodeSelector: { site: 'edge1' } })], nodes));
    expect(r.assignments.map((a) => a.node)).toEqual(['edge1-a']);
  });

  it('place - unmatched label gives one reason per refused node', () => {
    const r = place(input([request('infer', { nodeSelector: { gpu: 'true' }, sites: ['cloud', 'edge1'] })], nodes));
    expect(r.assignments).toEqual([]);
    expect(r.unplaced).toEqual([
      {
        app: 'shop',
        actor: 'infer',
        replica: 0,
        reasons: [
          'node cloud-1: label gpu=true missing',
          'node edge1-a: label gpu=true missing',
          'node edge2-a: site edge2 not in requested sites [cloud, edge1]',
        ],
      },
    ]);
  });

  it('place - a label with another value says which value it needs', () => {
    const r = place(input([request('x', { nodeSelector: { arch: 'amd64' } })], [node('n1', 'cloud')]));
    expect(r.unplaced[0]!.reasons).toEqual(['node n1: label arch=arm64, needs arch=amd64']);
  });

  it('place - draining nodes take nothing new', () => {
    const r = place(input([request('cam')], [node('a', 'edge1', { draining: true }), node('b', 'edge1')]));
    expect(r.assignments.map((a) => a.node)).toEqual(['b']);
  });

  it('place - dead nodes are refused with how long they have been silent', () => {
    const r = place(input([request('cam')], [node('a', 'edge1', { lastSeen: 1_000_000 - 7000 })]));
    expect(r.unplaced[0]!.reasons).toEqual(['node a: not seen for 7000 ms (timeout 5000 ms)']);
  });

  it('place - with no nodes at all the reason says so', () => {
    const r = place(input([request('cam')], []));
    expect(r.unplaced).toEqual([{ app: 'shop', actor: 'cam', replica: 0, reasons: ['no nodes registered'] }]);
  });
});
