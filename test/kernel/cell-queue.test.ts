import { describe, expect, it } from 'vitest';
import { CellQueue } from '../../kernel/cell-queue.ts';
import type { Delivery } from '../../kernel/delivery.ts';

const delivery = (seq: number, boundedBySource = false, owner?: object): Delivery =>
  ({ seq, actor: 'a', envelope: {}, attempts: 0, notBefore: 0, receivedAt: 0, touchedAt: 0, ...(boundedBySource ? { boundedBySource } : {}), ...(owner ? { owner } : {}) }) as unknown as Delivery;

describe('cell queue', () => {
  it('CellQueue - holds the head plus capacity mailbox messages and refuses the next, counting it', () => {
    let overflowed = 0;
    const q = new CellQueue(2, () => overflowed++);
    expect([1, 2, 3, 4].map((s) => q.push(delivery(s)))).toEqual([true, true, true, false]);
    expect(overflowed).toBe(1);
    q.shift();
    expect(q.push(delivery(5))).toBe(true);
  });

  it('CellQueue - deliveries their source bounds are never refused and take no room from mailbox messages', () => {
    const q = new CellQueue(1, () => undefined);
    for (let s = 1; s <= 50; s++) expect(q.push(delivery(s, true))).toBe(true);
    // 50 device publishes wait: the actor still takes its head plus one mailbox message.
    expect([q.push(delivery(100)), q.push(delivery(101)), q.push(delivery(102))]).toEqual([true, true, false]);
    expect(q.length).toBe(52);
  });

  it('CellQueue - takeWaiting hands back the picked deliveries behind the head, in order, and frees their room', () => {
    const source = {};
    const q = new CellQueue(1, () => undefined);
    q.push(delivery(1, true, source));
    q.push(delivery(2, true, source));
    q.push(delivery(3));
    q.push(delivery(4, true, source));
    expect(q.takeWaiting((d) => d.owner === source).map((d) => d.seq)).toEqual([2, 4]);
    expect(q.all().map((d) => d.seq)).toEqual([1, 3]);
    // The head stays whatever it is (it may be in hand); 3 was a mailbox message: its room is free
    // again (the head here is a device publish, so the capacity's one plus a head's room).
    expect(q.takeWaiting(() => true).map((d) => d.seq)).toEqual([3]);
    expect([q.push(delivery(5)), q.push(delivery(6)), q.push(delivery(7))]).toEqual([true, true, false]);
  });
});
