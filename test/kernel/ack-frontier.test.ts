import { afterEach, describe, expect, it, vi } from 'vitest';
import { AckFrontier } from '../../kernel/ack-frontier.ts';

/** A message whose acks are counted: what the frontier needs of a JsMsg. */
const msg = (seq: number, acked: number[]) => ({ info: { streamSequence: seq }, ack: () => void acked.push(seq) });

afterEach(() => vi.useRealTimers());

describe('ack frontier', () => {
  it('AckFrontier - messages finished in order are acked together by the newest, once `every` passed or after the delay', () => {
    vi.useFakeTimers();
    const acked: number[] = [];
    const f = new AckFrontier(2, 3);
    const ms = [1, 2, 3, 4].map((s) => msg(s, acked));
    ms.forEach((m) => f.track(m));
    f.finish(ms[0]!);
    f.finish(ms[1]!);
    expect(acked).toEqual([]);
    f.finish(ms[2]!);
    expect(acked).toEqual([3]);
    f.finish(ms[3]!);
    expect(acked).toEqual([3]);
    vi.advanceTimersByTime(2);
    expect(acked).toEqual([3, 4]);
    expect(f.size).toBe(0);
  });

  it('AckFrontier - a message finished behind an unfinished one is not acked until that one finishes', () => {
    const acked: number[] = [];
    const f = new AckFrontier(2, 1);
    const [a, b, c] = [10, 11, 12].map((s) => msg(s, acked));
    [a, b, c].forEach((m) => f.track(m!));
    f.finish(b!);
    f.finish(c!);
    expect(acked).toEqual([]);
    f.finish(a!);
    expect(acked).toEqual([12]);
  });

  it('AckFrontier - a redelivery read after newer messages is ordered by its stream sequence', () => {
    const acked: number[] = [];
    const f = new AckFrontier(2, 1);
    const [m5, m6, m7] = [5, 6, 7].map((s) => msg(s, acked));
    f.track(m6!);
    f.track(m7!);
    f.track(m5!); // handed out again after the ack wait
    f.finish(m6!);
    f.finish(m7!);
    expect(acked).toEqual([]);
    f.finish(m5!);
    expect(acked).toEqual([7]);
  });

  it('AckFrontier - one finished, read again before the frontier passed it, waits for its new finish; an untracked one is left alone', () => {
    const acked: number[] = [];
    const f = new AckFrontier(2, 1);
    const [m1, m2] = [1, 2].map((s) => msg(s, acked));
    f.track(m1!);
    f.track(m2!);
    f.finish(m2!);
    f.track(m2!); // redelivered (its ack had not been sent)
    f.finish(m1!);
    expect(acked).toEqual([1]);
    f.finish(msg(9, acked));
    expect(acked).toEqual([1]);
    f.finish(m2!);
    expect(acked).toEqual([1, 2]);
  });

  it('AckFrontier - flush sends what is due now; reset forgets what is tracked', () => {
    const acked: number[] = [];
    const f = new AckFrontier(1_000, 100);
    const [m1, m2] = [1, 2].map((s) => msg(s, acked));
    f.track(m1!);
    f.track(m2!);
    f.finish(m1!);
    f.flush();
    expect(acked).toEqual([1]);
    f.reset();
    f.finish(m2!);
    f.flush();
    expect(acked).toEqual([1]);
    expect(f.size).toBe(0);
  });
});
