import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RetryTimers } from '../../control-plane/retry-timers.ts';

describe('retry timers', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('retry timers - each retry of a key in a row waits longer, up to the maximum; clear starts over', () => {
    const timers = new RetryTimers<string>({ initialMs: 1_000, maxMs: 3_000 });
    const fire = (): void => undefined;
    expect([1, 2, 3, 4].map(() => timers.schedule('a', fire))).toEqual([1_000, 2_000, 3_000, 3_000]);
    expect(timers.schedule('b', fire)).toBe(1_000);
    timers.clear('a');
    expect(timers.schedule('a', fire)).toBe(1_000);
    timers.clearAll();
  });

  it('retry timers - only the latest retry of a key fires, once, after its delay; cleared ones never fire', () => {
    const timers = new RetryTimers<string>({ initialMs: 100, maxMs: 1_000 });
    const fired: string[] = [];
    timers.schedule('a', () => fired.push('a1'));
    timers.schedule('a', () => fired.push('a2'));
    timers.schedule('b', () => fired.push('b'));
    timers.clear('b');
    vi.advanceTimersByTime(199);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a2']);
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual(['a2']);
  });
});
