import { describe, expect, it } from 'vitest';
import { seamOverlap } from '../../client/index.ts';

describe('logs -f seam', () => {
  it('logs -f - live lines the recent output already ends with are not printed again', () => {
    expect(seamOverlap(['a', 'b', 'c'], ['b', 'c', 'd'])).toBe(2);
    expect(seamOverlap(['a', 'b', 'c'], ['c'])).toBe(1);
  });

  it('logs -f - live lines written after the recent output was read are all kept', () => {
    expect(seamOverlap(['a', 'b'], ['c', 'd'])).toBe(0);
    expect(seamOverlap([], ['a'])).toBe(0);
    expect(seamOverlap(['a'], [])).toBe(0);
  });

  it('logs -f - only a start of the live lines counts, not a match inside them', () => {
    expect(seamOverlap(['x', 'b'], ['a', 'b'])).toBe(0);
  });

  it('logs -f - repeated lines at the seam take the longest overlap', () => {
    expect(seamOverlap(['tick', 'tick'], ['tick', 'tick', 'tock'])).toBe(2);
  });
});
