import type { SupervisorFlags } from './supervisor-flags.ts';

/**
 * Records a restart at `now` in the sliding window of restart times (oldest first), dropping those
 * older than `periodMs` (a restart exactly `periodMs` ago still counts, as in supervisor.erl's
 * add_restart). `exceeded` when the window then holds more than `intensity` restarts, so intensity 0
 * means the first restart already exceeds.
 */
export function addRestart(
  window: readonly number[],
  now: number,
  flags: Pick<SupervisorFlags, 'intensity' | 'periodMs'>,
): { window: number[]; exceeded: boolean } {
  const threshold = now - flags.periodMs;
  const kept = window.filter((at) => at >= threshold);
  kept.push(now);
  return { window: kept, exceeded: kept.length > flags.intensity };
}
