/**
 * Why a child exited. `normal` is a clean finish, `shutdown` an orderly stop, `error` a crash; only
 * `error` is abnormal (restarts transient children). `code` is a Cairn error code when known.
 */
export type ExitReason = { type: 'normal' } | { type: 'shutdown' } | { type: 'error'; error: string; code?: string };
