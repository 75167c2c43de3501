import type { Backoff } from './backoff.ts';

/**
 * Milliseconds to wait before the `consecutive`-th restart in a row (1 for the first):
 * `initialMs * multiplier^(consecutive-1)`, rounded, capped at `maxMs`. 0 without backoff.
 */
export function restartDelayMs(consecutive: number, backoff?: Backoff): number {
  if (backoff === undefined || consecutive < 1) return 0;
  const delay = backoff.initialMs * backoff.multiplier ** (consecutive - 1);
  return Math.min(backoff.maxMs, Math.round(delay));
}
