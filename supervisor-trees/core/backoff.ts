import type { Backoff } from '../../protocols/index.ts';

/**
 * Delay before restarting a child that keeps failing. The n-th consecutive restart waits
 * `initialMs * multiplier^(n-1)`, capped at `maxMs`; the count starts over once the child has run
 * longer than `resetAfterMs`.
 */
export interface RestartBackoff extends Backoff {
  /** Delay before the first restart of a streak. @default 100 */
  initialMs: number;
  /** Upper bound on any delay. @default 30000 */
  maxMs: number;
  /** Growth factor between consecutive restarts. @default 2 */
  multiplier: number;
  /** A child that ran longer than this before failing starts a new streak. @default 60000 */
  resetAfterMs: number;
}

/** Values for the backoff fields left out when `backoff` is given. */
export const DEFAULT_BACKOFF: Readonly<RestartBackoff> = Object.freeze({
  initialMs: 100,
  maxMs: 30_000,
  multiplier: 2,
  resetAfterMs: 60_000,
});
