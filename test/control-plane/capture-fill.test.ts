import { describe, expect, it } from 'vitest';
import { fillAlert, fillOf } from '../../control-plane/capture-fill.ts';
import { storeExcess } from '../../control-plane/mqtt-store-fill.ts';

describe('capture fill', () => {
  it('fill - the tighter of the message and byte limits; no limit counts as empty', () => {
    expect(fillOf({ messages: 50, bytes: 900 }, { maxMsgs: 100, maxBytes: 1000 })).toEqual({ used: 0.9, limit: 'bytes' });
    expect(fillOf({ messages: 80, bytes: 900 }, { maxMsgs: 100, maxBytes: -1 })).toEqual({ used: 0.8, limit: 'messages' });
    expect(fillOf({ messages: 80, bytes: 900 }, { maxMsgs: -1, maxBytes: 0 }).used).toBe(0);
  });

  it('alert - raised once at 80 %, not again while above 70 %, again after it fell below', () => {
    const at = (used: number) => ({ used, limit: 'messages' as const });
    let armed = true;
    const raised: number[] = [];
    for (const used of [0.5, 0.79, 0.8, 0.95, 0.75, 0.85, 0.69, 0.81]) {
      const next = fillAlert(at(used), armed);
      armed = next.armed;
      if (next.raise) raised.push(used);
    }
    expect(raised).toEqual([0.8, 0.81]);
  });

  it('store excess - what is held beyond the limit; nothing at or under it, nothing without a limit', () => {
    expect(storeExcess(130, 100)).toBe(30);
    expect(storeExcess(100, 100)).toBe(0);
    expect(storeExcess(5, 100)).toBe(0);
    expect(storeExcess(5_000, -1)).toBe(0);
  });
});
