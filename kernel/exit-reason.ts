import type { ExitReason } from '../protocols/index.ts';

export type { ExitReason };

export function errorExit(err: unknown, code?: string): ExitReason & { type: 'error' } {
  const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const errCode = code ?? (typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined);
  return errCode === undefined ? { type: 'error', error } : { type: 'error', error, code: errCode };
}
