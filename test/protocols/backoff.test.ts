import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../protocols/index.ts';

describe('backoffDelayMs', () => {
  it('backoff - no failure, no wait; then initialMs, doubling by default, capped at maxMs', () => {
    const b = { initialMs: 100, maxMs: 1_000 };
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, b))).toEqual([0, 100, 200, 400, 800, 1_000]);
  });

  it('backoff - another multiplier grows by it, rounded', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(n, { initialMs: 10, maxMs: 1_000, multiplier: 1.5 }))).toEqual([10, 15, 23]);
  });

  it('backoff - a very long streak stays at the cap instead of overflowing', () => {
    expect(backoffDelayMs(10_000, { initialMs: 100, maxMs: 30_000 })).toBe(30_000);
    expect(backoffDelayMs(-1, { initialMs: 100, maxMs: 30_000 })).toBe(0);
  });
});

describe('backoffDelayMs with a slow multiplier', () => {
  it('backoff - a multiplier just above 1 still grows to maxMs over a long streak', () => {
    expect(backoffDelayMs(200, { initialMs: 100, maxMs: 30_000, multiplier: 1.05 })).toBe(30_000);
  });
});
