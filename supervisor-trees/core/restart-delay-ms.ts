import { backoffDelayMs } from '../../protocols/index.ts';
import type { RestartBackoff } from './backoff.ts';

/**
 * Milliseconds to wait before the `consecutive`-th restart in a row (1 for the first):
 * `initialMs * multiplier^(consecutive-1)`, rounded, capped at `maxMs`. 0 without backoff.
 */
export function restartDelayMs(consecutive: number, backoff?: RestartBackoff): number {
  return backoff === undefined ? 0 : backoffDelayMs(consecutive, backoff);
}
