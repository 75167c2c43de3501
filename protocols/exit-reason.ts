/**
 * Why an actor incarnation ended, as its supervisor sees it (OTP's exit reasons): `normal` (it
 * stopped itself), `shutdown` (it was told to stop), or `error` (it crashed). Only `error` is
 * abnormal (it restarts transient children). `code` is a Cairn error code when known.
 */
export type ExitReason = { type: 'normal' } | { type: 'shutdown' } | { type: 'error'; error: string; code?: string };
