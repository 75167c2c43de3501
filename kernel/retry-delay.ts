/** Exponential backoff: doubling from `minMs`, capped at `maxMs`. */
export interface Backoff {
  readonly minMs: number;
  readonly maxMs: number;
}

/** Delay before the next try after `failures` failed tries (0 → no delay; 1 → minMs; then doubling up to maxMs). */
export function nextRetryDelayMs(failures: number, backoff: Backoff): number {
  if (failures <= 0) return 0;
  return Math.min(backoff.maxMs, backoff.minMs * 2 ** Math.min(failures - 1, 30));
}
