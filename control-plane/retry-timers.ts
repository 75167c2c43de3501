import { backoffDelayMs } from '../protocols/index.ts';
import type { Backoff } from '../protocols/index.ts';

/**
 * One pending retry per key, each later than the one before (backoffDelayMs: the n-th retry in a
 * row of a key waits the n-th delay) until `clear` resets the key. Timers do not keep the process
 * alive; `clearAll` cancels every pending one.
 */
export class RetryTimers<K> {
  private readonly pending = new Map<K, { readonly timer: NodeJS.Timeout; readonly failures: number }>();

  constructor(private readonly backoff: Backoff) {}

  /** Calls `fire` after the key's next delay, replacing a retry of the key already pending. */
  schedule(key: K, fire: () => void): number {
    const previous = this.pending.get(key);
    if (previous) clearTimeout(previous.timer);
    const failures = (previous?.failures ?? 0) + 1;
    const delayMs = backoffDelayMs(failures, this.backoff);
    const timer = setTimeout(fire, delayMs);
    timer.unref();
    this.pending.set(key, { timer, failures });
    return delayMs;
  }

  /** The key succeeded: no pending retry, and its next one starts from the first delay. */
  clear(key: K): void {
    const previous = this.pending.get(key);
    if (previous) clearTimeout(previous.timer);
    this.pending.delete(key);
  }

  clearAll(): void {
    for (const key of [...this.pending.keys()]) this.clear(key);
  }
}
