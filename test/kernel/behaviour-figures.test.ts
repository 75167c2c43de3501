import { describe, expect, it } from 'vitest';
import { behaviourFigures } from '../../kernel/actor-definition.ts';

describe('behaviour figures', () => {
  it('behaviourFigures - a behaviour\u2019s figures from its actor\u2019s view; none without a figures function or when it throws', () => {
    const view = { id: 'bridge', site: 'edge1', state: { buffered: 12 } };
    expect(behaviourFigures<{ buffered: number }>({ figures: (v) => ({ buffered: v.state.buffered, at: v.site }) }, view)).toEqual({ buffered: 12, at: 'edge1' });
    expect(behaviourFigures({}, view)).toBeUndefined();
    expect(behaviourFigures({ figures: () => { throw new Error('no'); } }, view)).toBeUndefined();
  });
});
