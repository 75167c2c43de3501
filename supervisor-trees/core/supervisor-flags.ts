import type { RestartBackoff } from './backoff.ts';
import type { Strategy } from './strategy.ts';

/** How a supervisor restarts its children and when it gives up (OTP `sup_flags`). */
export interface SupervisorFlags {
  /** @default 'one_for_one' */
  strategy: Strategy;
  /** Most restarts allowed within `periodMs`; one more and the supervisor escalates. @default 3 */
  intensity: number;
  /** Length of the sliding window restarts are counted in, in milliseconds. @default 5000 */
  periodMs: number;
  /** Delay restarts of a child that keeps failing. @default undefined (restart at once) */
  backoff?: RestartBackoff;
}

/**
 * Flags used for every field left out. Three restarts in five seconds absorbs a short burst (a
 * dependency bouncing) while a crash loop still escalates within seconds, so the parent can try a
 * wider restart. OTP's own default is 1 in 5 s, which is harsh for edge devices with flaky I/O.
 */
export const DEFAULT_FLAGS: Readonly<SupervisorFlags> = Object.freeze({
  strategy: 'one_for_one',
  intensity: 3,
  periodMs: 5000,
});
