/**
 * Why an actor incarnation ended, as its supervisor sees it (OTP's exit reasons): `normal` (it
 * stopped itself), `shutdown` (it was told to stop), or `error` (it crashed).
 */
export type ExitReason = { type: 'normal' } | { type: 'shutdown' } | { type: 'error'; error: string; code?: string };

export function errorExit(err: unknown, code?: string): ExitReason & { type: 'error' } {
  const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const errCode = code ?? (typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined);
  return errCode === undefined ? { type: 'error', error } : { type: 'error', error, code: errCode };
}
