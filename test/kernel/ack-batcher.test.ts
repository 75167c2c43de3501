import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JsMsg } from '@nats-io/jetstream';
import { AckBatcher } from '../../kernel/ack-batcher.ts';

const acked: number[] = [];
const msg = (seq: number): JsMsg => ({ seq, ack: () => void acked.push(seq) }) as unknown as JsMsg;

afterEach(() => {
  vi.useRealTimers();
  acked.length = 0;
});

describe('ack batcher', () => {
  it('AckBatcher - acks what waits together after the delay, in order, and nothing before it', () => {
    vi.useFakeTimers();
    const b = new AckBatcher(2, 100);
    b.ack(msg(1));
    b.ack(msg(2));
    vi.advanceTimersByTime(1);
    expect(acked).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(acked).toEqual([1, 2]);
    b.ack(msg(3));
    vi.advanceTimersByTime(2);
    expect(acked).toEqual([1, 2, 3]);
  });

  it('AckBatcher - acks at once when maxPending wait, and flush() acks the rest now', () => {
    vi.useFakeTimers();
    const b = new AckBatcher(1_000, 3);
    for (const s of [1, 2, 3, 4]) b.ack(msg(s));
    expect(acked).toEqual([1, 2, 3]);
    b.flush();
    expect(acked).toEqual([1, 2, 3, 4]);
    // The timer the fourth armed is gone with the flush: nothing is acked twice.
    vi.advanceTimersByTime(2_000);
    expect(acked).toEqual([1, 2, 3, 4]);
  });

  it('AckBatcher - an ack the closed connection refuses does not stop the others nor throw', () => {
    const b = new AckBatcher(2, 10);
    b.ack(msg(1));
    b.ack({ seq: 2, ack: () => { throw new Error('connection closed'); } } as unknown as JsMsg);
    b.ack(msg(3));
    expect(() => b.flush()).not.toThrow();
    expect(acked).toEqual([1, 3]);
  });
});
