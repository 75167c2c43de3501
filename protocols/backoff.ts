/** Exponential backoff: `initialMs`, growing by `multiplier` each time, capped at `maxMs`. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** @default 2 */
  readonly multiplier?: number;
}

/**
 * The one backoff rule of Cairn (restarts, message retries, reconnects, sends to a full mailbox):
 * the delay before the next try after `failures` failed tries in a row. 0 failures → 0; 1 →
 * `initialMs`; then times `multiplier` each, rounded, capped at `maxMs`.
 */
export function backoffDelayMs(failures: number, backoff: Backoff): number {
  if (failures < 1) return 0;
  // No cap on the exponent: a long streak overflows to Infinity, which maxMs bounds.
  const delay = backoff.initialMs * (backoff.multiplier ?? 2) ** (failures - 1);
  return Math.min(backoff.maxMs, Math.round(delay));
}
