import { describe, expect, it } from 'vitest';
import { addRestart } from '../../../supervisor-trees/core/index.ts';

const flags = { intensity: 3, periodMs: 5000 };

/** Feeds restarts at the given times through addRestart, returning `exceeded` after each. */
function run(times: number[], f = flags): boolean[] {
  let window: number[] = [];
  return times.map((now) => {
    const next = addRestart(window, now, f);
    window = next.window;
    return next.exceeded;
  });
}

describe('addRestart', () => {
  it('addRestart - allows intensity restarts within the period', () => {
    expect(run([0, 1000, 2000])).toEqual([false, false, false]);
  });

  it('addRestart - exceeds on restart intensity+1 within the period', () => {
    expect(run([0, 1000, 2000, 3000])).toEqual([false, false, false, true]);
  });

  it('addRestart - slides: old restarts fall out of the window', () => {
    // At t=5001 the restart at t=0 is more than 5000ms old, leaving 1000, 2000 and now.
    expect(run([0, 1000, 2000, 5001])).toEqual([false, false, false, false]);
  });

  it('addRestart - exceeds again once a new burst fills the window', () => {
    expect(run([0, 1000, 2000, 6000, 7000, 7500, 8000])).toEqual([false, false, false, false, false, false, true]);
  });

  it('addRestart - counts a restart exactly periodMs old (inclusive boundary, as in OTP)', () => {
    expect(run([0, 1000, 2000, 5000])).toEqual([false, false, false, true]);
  });

  it('addRestart - drops only restarts strictly older than periodMs from the returned window', () => {
    const { window } = addRestart([0, 999, 1000, 4000], 6000, flags);
    expect(window).toEqual([1000, 4000, 6000]);
  });

  it('addRestart - a steady rate below intensity per period never exceeds', () => {
    // One restart every 2000ms: at most 3 restarts within any 5000ms window (t-4000, t-2000, t).
    const times = Array.from({ length: 20 }, (_, i) => i * 2000);
    expect(run(times).some(Boolean)).toBe(false);
  });

  it('addRestart - one restart per second exceeds on the fourth', () => {
    expect(run([0, 1000, 2000, 3000, 4000]).indexOf(true)).toBe(3);
  });

  it('addRestart - intensity 0 exceeds on the first restart', () => {
    expect(addRestart([], 0, { intensity: 0, periodMs: 5000 }).exceeded).toBe(true);
  });

  it('addRestart - does not mutate the given window', () => {
    const window = Object.freeze([0, 1000]);
    addRestart(window, 2000, flags);
    expect(window).toEqual([0, 1000]);
  });
});
