import type { OnError, RetryPolicy } from './actor-definition.ts';
import { retryDelayMs } from './actor-definition.ts';

/** What a failed attempt at the head message leads to, besides whether the incarnation crashes. */
export type FailureOutcome =
  /** Tried again after a backoff, at `notBefore` (ms since the epoch). */
  | { readonly kind: 'retry'; readonly notBefore: number }
  /** Its last attempt failed: moved to the dead letters with the error, an ask gets the error. */
  | { readonly kind: 'dead-letter' }
  /** Its last attempt failed after its ttl had passed: dropped as the sender asked, not dead-lettered. */
  | { readonly kind: 'expire' };

export interface FailureDecision {
  readonly outcome: FailureOutcome;
  /** The incarnation ends and its supervisor restarts it (`onError: 'restart'`, or a guest that died). */
  readonly crash: boolean;
}

export interface FailedAttempt {
  /** Attempts made so far, this failed one included. */
  readonly attempts: number;
  readonly retry: RetryPolicy;
  readonly onError: OnError;
  /** The guest running the handler died (it cannot resume). */
  readonly guestDied: boolean;
  readonly now: number;
  /** When the message's ttl ends, if it has one. */
  readonly expiresAt?: number | undefined;
}

/**
 * The one rule for a handler that failed: retry with backoff until `retry.maxAttempts`, then dead
 * letter it (or drop it, if its ttl passed meanwhile); crash the incarnation when the actor lets
 * it crash or its guest is gone, resume it otherwise. Pure: ActorCell carries it out.
 */
export function decideAfterFailure(f: FailedAttempt): FailureDecision {
  const crash = f.onError === 'restart' || f.guestDied;
  if (f.attempts < f.retry.maxAttempts) return { outcome: { kind: 'retry', notBefore: f.now + retryDelayMs(f.attempts, f.retry) }, crash };
  const expired = f.expiresAt !== undefined && f.now >= f.expiresAt;
  return { outcome: { kind: expired ? 'expire' : 'dead-letter' }, crash };
}
