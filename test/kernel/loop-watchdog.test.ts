import { describe, expect, it } from 'vitest';
import { HandlerTimer, stallOf } from '../../kernel/loop-watchdog.ts';

describe('event-loop watchdog', () => {
  it('stall - a tick late by less than the threshold is no stall', () => {
    expect(stallOf(1_000, 1_499, 500, undefined)).toBeUndefined();
  });

  it('stall - a late tick is a stall, naming the handler that took a good part of the lag', () => {
    expect(stallOf(1_000, 1_800, 500, { actor: 'busy', ms: 780 })).toEqual({ lagMs: 800, actor: 'busy', handlerMs: 780 });
  });

  it('stall - a handler that ran only briefly is not blamed', () => {
    expect(stallOf(1_000, 1_800, 500, { actor: 'quick', ms: 3 })).toEqual({ lagMs: 800 });
  });

  it('handler timer - keeps the slowest run since the last look, then forgets it', () => {
    const t = new HandlerTimer();
    t.record('a', 5);
    t.record('b', 50);
    t.record('c', 7);
    expect(t.take()).toEqual({ actor: 'b', ms: 50 });
    expect(t.take()).toBeUndefined();
  });
});
