/**
 * When a child is restarted after it exits (OTP `restart`):
 * - `permanent`: always, whatever the exit reason.
 * - `transient`: only after an abnormal exit (reason `error`); `normal` and `shutdown` are final.
 * - `temporary`: never; the child is forgotten when it exits.
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** Every restart type, for validation and messages. */
export const RESTART_TYPES: readonly RestartType[] = Object.freeze(['permanent', 'transient', 'temporary']);
