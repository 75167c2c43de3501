import { describe, expect, it } from 'vitest';
import { nextConsecutive, restartDelayMs, type RestartBackoff } from '../../../supervisor-trees/core/index.ts';

const backoff: RestartBackoff = { initialMs: 100, maxMs: 1000, multiplier: 2, resetAfterMs: 10_000 };

describe('restartDelayMs', () => {
  it('restartDelayMs - is 0 without backoff', () => {
    expect(restartDelayMs(5)).toBe(0);
  });

  it('restartDelayMs - grows geometrically from initialMs', () => {
    expect([1, 2, 3, 4].map((n) => restartDelayMs(n, backoff))).toEqual([100, 200, 400, 800]);
  });

  it('restartDelayMs - is capped at maxMs', () => {
    expect(restartDelayMs(5, backoff)).toBe(1000);
    expect(restartDelayMs(10_000, backoff)).toBe(1000);
  });

  it('restartDelayMs - multiplier 1 keeps the delay constant', () => {
    expect(restartDelayMs(7, { ...backoff, multiplier: 1 })).toBe(100);
  });

  it('restartDelayMs - rounds fractional delays', () => {
    expect(restartDelayMs(2, { ...backoff, initialMs: 3, multiplier: 1.5 })).toBe(5);
  });

  it('restartDelayMs - is 0 for a count below 1', () => {
    expect(restartDelayMs(0, backoff)).toBe(0);
  });
});

describe('nextConsecutive', () => {
  it('nextConsecutive - counts up when the child failed soon after starting', () => {
    expect(nextConsecutive(3, 1000, 1500, backoff)).toBe(4);
  });

  it('nextConsecutive - resets to 1 when the child ran longer than resetAfterMs', () => {
    expect(nextConsecutive(7, 1000, 11_001, backoff)).toBe(1);
  });

  it('nextConsecutive - running exactly resetAfterMs does not reset', () => {
    expect(nextConsecutive(7, 1000, 11_000, backoff)).toBe(8);
  });

  it('nextConsecutive - without backoff only counts up', () => {
    expect(nextConsecutive(2, 0, 1_000_000)).toBe(3);
  });
});
