/**
 * When a child is restarted after it exits (OTP `restart`):
 * - `permanent`: always, whatever the exit reason.
 * - `transient`: only after an abnormal exit (reason `error`); `normal` and `shutdown` are final.
 * - `temporary`: never; the child is forgotten when it exits.
 */
export const RESTART_TYPES = ['permanent', 'transient', 'temporary'] as const;

export type RestartType = (typeof RESTART_TYPES)[number];
