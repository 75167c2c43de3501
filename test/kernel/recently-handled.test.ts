import { describe, expect, it } from 'vitest';
import { RecentlyHandled } from '../../kernel/recently-handled.ts';
import type { Delivery } from '../../kernel/delivery.ts';

const delivery = (seq: number, opts: { ask?: boolean; origin?: { stream: string; seq: number } } = {}): Delivery =>
  ({ seq, actor: 'a', envelope: { id: `m${seq}`, ...(opts.ask ? { reply: '_INBOX.x' } : {}) }, ...(opts.origin ? { origin: opts.origin } : {}) }) as unknown as Delivery;

describe('recently handled', () => {
  it('recently handled - finds exactly what was handled, with the reply of an ask; a later or an earlier unhandled one is not found', () => {
    const r = new RecentlyHandled();
    r.add(delivery(5), undefined);
    r.add(delivery(7, { ask: true }), { total: 3 });
    expect(r.find(delivery(5))).toEqual({});
    expect(r.find(delivery(7, { ask: true }))).toEqual({ reply: { total: 3 } });
    // 6 came late (a dead-letter copy that could not be stored): it is still handled.
    expect(r.find(delivery(6))).toBeUndefined();
    expect(r.find(delivery(8))).toBeUndefined();
  });

  it("recently handled - a message of another site is known by its origin, not by this mailbox's sequence", () => {
    const r = new RecentlyHandled();
    r.add(delivery(10, { origin: { stream: 'OUT_edge1', seq: 3 } }), undefined);
    expect(r.find(delivery(99, { origin: { stream: 'OUT_edge1', seq: 3 } }))).toEqual({});
    expect(r.find(delivery(10))).toBeUndefined();
    expect(r.find(delivery(10, { origin: { stream: 'OUT_edge2', seq: 3 } }))).toBeUndefined();
  });

  it('recently handled - keeps the last ones only, and forgets all at a new incarnation', () => {
    const r = new RecentlyHandled(3);
    for (const seq of [1, 2, 3, 4]) r.add(delivery(seq), undefined);
    expect([1, 2, 3, 4].map((seq) => r.find(delivery(seq)) !== undefined)).toEqual([false, true, true, true]);
    r.clear();
    expect(r.find(delivery(4))).toBeUndefined();
  });

  it('recently handled - a mailbox stream made anew numbers from 1 again: its messages are not the ones handled', () => {
    const r = new RecentlyHandled();
    r.add({ ...delivery(2), mailbox: 'T1' } as Delivery, undefined);
    expect(r.find({ ...delivery(2), mailbox: 'T1' } as Delivery)).toEqual({});
    expect(r.find({ ...delivery(2), mailbox: 'T2' } as Delivery)).toBeUndefined();
  });

  it('recently handled - keeps the last ones of each origin stream, and the streams seen last', () => {
    const r = new RecentlyHandled(2);
    for (const seq of [1, 2, 3]) r.add(delivery(seq, { origin: { stream: 'S1', seq } }), undefined);
    r.add(delivery(9, { origin: { stream: 'S2', seq: 1 } }), { ok: true });
    expect([1, 2, 3].map((seq) => r.find(delivery(0, { origin: { stream: 'S1', seq } })) !== undefined)).toEqual([false, true, true]);
    expect(r.find(delivery(0, { ask: true, origin: { stream: 'S2', seq: 1 } }))).toEqual({});
    // 16 streams more: S1 and S2, seen first, are forgotten.
    for (let i = 0; i < 16; i++) r.add(delivery(i, { origin: { stream: `T${i}`, seq: 1 } }), undefined);
    expect(r.find(delivery(0, { origin: { stream: 'S1', seq: 3 } }))).toBeUndefined();
    expect(r.find(delivery(0, { origin: { stream: 'T15', seq: 1 } }))).toEqual({});
  });
});
