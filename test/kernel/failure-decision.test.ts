import { describe, expect, it } from 'vitest';
import { decideAfterFailure } from '../../kernel/failure-decision.ts';
import type { FailedAttempt } from '../../kernel/failure-decision.ts';

const retry = { maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 250 };
const base: FailedAttempt = { attempts: 1, retry, onError: 'resume', guestDied: false, now: 10_000 };

describe('decideAfterFailure', () => {
  it('failure - before the last attempt the message is retried after a doubling backoff, capped', () => {
    expect(decideAfterFailure(base).outcome).toEqual({ kind: 'retry', notBefore: 10_100 });
    expect(decideAfterFailure({ ...base, attempts: 2 }).outcome).toEqual({ kind: 'retry', notBefore: 10_200 });
    expect(decideAfterFailure({ ...base, attempts: 2, retry: { ...retry, maxAttempts: 10 }, now: 0 }).outcome).toEqual({ kind: 'retry', notBefore: 200 });
    expect(decideAfterFailure({ ...base, attempts: 5, retry: { ...retry, maxAttempts: 10 }, now: 0 }).outcome).toEqual({ kind: 'retry', notBefore: 250 });
  });

  it('failure - the last attempt failing dead-letters the message', () => {
    expect(decideAfterFailure({ ...base, attempts: 3 }).outcome).toEqual({ kind: 'dead-letter' });
    expect(decideAfterFailure({ ...base, attempts: 1, retry: { ...retry, maxAttempts: 1 } }).outcome).toEqual({ kind: 'dead-letter' });
  });

  it('failure - a message whose ttl passed during its retries is dropped, not dead-lettered; one still in time is dead-lettered', () => {
    expect(decideAfterFailure({ ...base, attempts: 3, expiresAt: 10_000 }).outcome).toEqual({ kind: 'expire' });
    expect(decideAfterFailure({ ...base, attempts: 3, expiresAt: 10_001 }).outcome).toEqual({ kind: 'dead-letter' });
    // Before the last attempt the ttl does not matter here: the next delivery checks it.
    expect(decideAfterFailure({ ...base, attempts: 1, expiresAt: 0 }).outcome.kind).toBe('retry');
  });

  it("failure - onError 'restart' crashes the incarnation whatever happens to the message; 'resume' does not", () => {
    expect(decideAfterFailure({ ...base, onError: 'restart' }).crash).toBe(true);
    expect(decideAfterFailure({ ...base, onError: 'restart', attempts: 3 }).crash).toBe(true);
    expect(decideAfterFailure(base).crash).toBe(false);
    expect(decideAfterFailure({ ...base, attempts: 3 }).crash).toBe(false);
  });

  it('failure - a guest that died always crashes, even for an actor that resumes', () => {
    expect(decideAfterFailure({ ...base, guestDied: true })).toEqual({ outcome: { kind: 'retry', notBefore: 10_100 }, crash: true });
  });
});
