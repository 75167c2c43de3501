import { SupervisorCodes } from '../../protocols/index.ts';
import { DEFAULT_BACKOFF, type RestartBackoff } from './backoff.ts';
import { backoffValidators } from './backoff-validators.ts';
import { definedFields } from './defined-fields.ts';
import { describeValue } from './describe-value.ts';
import { isRecord } from './is-record.ts';
import { fail, ok, type Result } from './result.ts';
import { unknownFields } from './unknown-fields.ts';
import { runValidators } from './validator.ts';

const KNOWN = Object.freeze(Object.keys(DEFAULT_BACKOFF));

/** Merges DEFAULT_BACKOFF into `input` and validates it, gathering every problem. */
export function resolveBackoff(input: unknown, at: string): Result<RestartBackoff> {
  if (!isRecord(input)) {
    return fail([
      {
        path: at,
        code: SupervisorCodes.INVALID_BACKOFF,
        message: `${at} is ${describeValue(input)}; expected an object such as { initialMs: 100, maxMs: 30000, multiplier: 2, resetAfterMs: 60000 }, or leave it out`,
      },
    ]);
  }
  const merged = { ...DEFAULT_BACKOFF, ...definedFields(input) };
  const problems = [...unknownFields(input, KNOWN, at), ...runValidators(backoffValidators, merged, at)];
  if (problems.length > 0) return fail(problems);
  const { initialMs, maxMs, multiplier, resetAfterMs } = merged as RestartBackoff;
  return ok({ initialMs, maxMs, multiplier, resetAfterMs });
}
