import type { RestartBackoff } from './backoff.ts';

/**
 * The consecutive-failure count after a child started at `lastStartAt` fails at `now`: 1 (a new
 * streak) when it ran longer than `backoff.resetAfterMs`, otherwise `prev + 1`. Without backoff the
 * count never resets (it is then only informational).
 */
export function nextConsecutive(prev: number, lastStartAt: number, now: number, backoff?: RestartBackoff): number {
  if (backoff !== undefined && now - lastStartAt > backoff.resetAfterMs) return 1;
  return prev + 1;
}
