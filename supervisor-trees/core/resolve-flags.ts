import { SupervisorCodes } from '../../protocols/index.ts';
import { definedFields } from './defined-fields.ts';
import { describeValue } from './describe-value.ts';
import { flagValidators } from './flag-validators.ts';
import { isRecord } from './is-record.ts';
import { joinPath, type Problem } from './problem.ts';
import { resolveBackoff } from './resolve-backoff.ts';
import { fail, ok, type Result } from './result.ts';
import { DEFAULT_FLAGS, type SupervisorFlags } from './supervisor-flags.ts';
import { unknownFields } from './unknown-fields.ts';
import { runValidators } from './validator.ts';

const KNOWN = Object.freeze(['strategy', 'intensity', 'periodMs', 'backoff']);

/**
 * Merges DEFAULT_FLAGS into `input` (undefined means all defaults) and validates the result,
 * gathering every problem. `at` prefixes problem paths, e.g. `actors[0].supervisor`.
 */
export function resolveFlags(input: unknown, at = 'flags'): Result<SupervisorFlags> {
  const fields = input === undefined ? {} : input;
  if (!isRecord(fields)) {
    return fail([
      {
        path: at,
        code: SupervisorCodes.INVALID_FLAGS,
        message: `${at} is ${describeValue(input)}; expected an object such as { strategy: "one_for_one", intensity: 3, periodMs: 5000 }`,
      },
    ]);
  }
  const merged: Record<string, unknown> = { ...DEFAULT_FLAGS, ...definedFields(fields) };
  const problems: Problem[] = [...unknownFields(fields, KNOWN, at), ...runValidators(flagValidators, merged, at)];
  const backoff = merged['backoff'] === undefined ? undefined : resolveBackoff(merged['backoff'], joinPath(at, 'backoff'));
  if (backoff !== undefined && !backoff.ok) problems.push(...backoff.problems);
  if (problems.length > 0) return fail(problems);

  const { strategy, intensity, periodMs } = merged as unknown as SupervisorFlags;
  const flags: SupervisorFlags = { strategy, intensity, periodMs };
  if (backoff?.ok) flags.backoff = backoff.value;
  return ok(flags);
}
