import type { ExitReason } from './exit-reason.ts';
import type { RestartType } from './restart-type.ts';

/** OTP's rule: permanent always; transient only after an abnormal exit (`error`); temporary never. */
export function shouldRestart(restart: RestartType, reason: ExitReason): boolean {
  if (restart === 'permanent') return true;
  if (restart === 'transient') return reason.type === 'error';
  return false;
}
