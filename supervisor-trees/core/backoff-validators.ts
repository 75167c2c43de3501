import { SupervisorCodes } from '../../protocols/index.ts';
import { describeValue } from './describe-value.ts';
import { joinPath } from './problem.ts';
import { integerAtLeast, type Validator } from './validator.ts';

const code = SupervisorCodes.INVALID_BACKOFF;

/** The rules for `flags.backoff`, run after DEFAULT_BACKOFF is merged in. */
export const backoffValidators: readonly Validator[] = Object.freeze([
  integerAtLeast('initialMs', 1, code, 'milliseconds before the first restart of a streak'),
  maxAtLeastInitial,
  multiplierAtLeastOne,
  integerAtLeast('resetAfterMs', 0, code, 'milliseconds a child must run for its failure streak to start over'),
]);

function maxAtLeastInitial(fields: Readonly<Record<string, unknown>>, at: string) {
  const { maxMs, initialMs } = fields;
  const floor = typeof initialMs === 'number' && Number.isSafeInteger(initialMs) && initialMs >= 1 ? initialMs : 1;
  if (typeof maxMs === 'number' && Number.isSafeInteger(maxMs) && maxMs >= floor) return undefined;
  const path = joinPath(at, 'maxMs');
  return { path, code, message: `${path} is ${describeValue(maxMs)}; expected an integer >= initialMs (${floor}), the cap on any delay` };
}

function multiplierAtLeastOne(fields: Readonly<Record<string, unknown>>, at: string) {
  const { multiplier } = fields;
  if (typeof multiplier === 'number' && Number.isFinite(multiplier) && multiplier >= 1) return undefined;
  const path = joinPath(at, 'multiplier');
  return { path, code, message: `${path} is ${describeValue(multiplier)}; expected a number >= 1 (1 keeps the delay constant)` };
}
