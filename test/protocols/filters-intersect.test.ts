import { describe, expect, it } from 'vitest';
import { filtersIntersect } from '../../protocols/index.ts';

describe('filtersIntersect', () => {
  it('filters - overlap when some subject matches both', () => {
    expect(filtersIntersect('a.b', 'a.b')).toBe(true);
    expect(filtersIntersect('a.*', 'a.b')).toBe(true);
    expect(filtersIntersect('a.>', 'a.b.c')).toBe(true);
    expect(filtersIntersect('*.b', 'a.*')).toBe(true);
    expect(filtersIntersect('>', 'x')).toBe(true);
  });

  it('filters - no overlap when tokens differ or lengths cannot meet', () => {
    expect(filtersIntersect('a.b', 'a.c')).toBe(false);
    expect(filtersIntersect('a.*', 'a.b.c')).toBe(false);
    expect(filtersIntersect('out.*', 'out.a.>')).toBe(false);
    expect(filtersIntersect('a.>', 'a')).toBe(false);
  });
});
