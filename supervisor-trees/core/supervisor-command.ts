import type { ExitReason } from './exit-reason.ts';

/**
 * What the planner asks the runtime to do, in the order returned:
 * - `stop`: stop these children one after another, in this order (already reverse start order):
 *   ask each to shut down, wait its shutdownMs, then kill it. The runtime does not report these
 *   exits back to planChildExit. Stopping a child whose start is still delayed cancels that start.
 * - `start`: after `delayMs`, start these children one after another, in this order.
 * - `remove`: forget the child and its spec.
 * - `escalate`: restart intensity was exceeded; stop every child (planShutdown gives the order),
 *   then exit with `reason` so the parent supervisor decides.
 */
export type SupervisorCommand =
  | { type: 'stop'; ids: string[] }
  | { type: 'start'; ids: string[]; delayMs: number }
  | { type: 'remove'; id: string }
  | { type: 'escalate'; reason: ExitReason & { type: 'error' } };
