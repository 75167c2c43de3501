import { describe, expect, it } from 'vitest';
import { RecentDeliveries } from '../../kernel/recent-deliveries.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

describe('RecentDeliveries', () => {
  it('recent - a key counts for the window, then not', () => {
    const clock = new FakeClock(1_000);
    const recent = new RecentDeliveries(clock, 100, 10);
    recent.add('a');
    expect(recent.has('a')).toBe(true);
    expect(recent.has('b')).toBe(false);
    clock.advance(100);
    expect(recent.has('a')).toBe(false);
  });

  it('recent - the oldest go first past the count, and expired ones are trimmed as new ones come', () => {
    const clock = new FakeClock(0);
    const recent = new RecentDeliveries(clock, 1_000, 3);
    for (const k of ['a', 'b', 'c', 'd']) recent.add(k);
    expect(['a', 'b', 'c', 'd'].map((k) => recent.has(k))).toEqual([false, true, true, true]);
    clock.advance(2_000);
    recent.add('e');
    expect(recent.size).toBe(1);
  });
});
