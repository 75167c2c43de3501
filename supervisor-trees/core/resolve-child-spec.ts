import { SupervisorCodes } from '../../protocols/index.ts';
import { CHILD_KINDS, type ChildKind } from './child-kind.ts';
import { DEFAULT_CHILD, type ChildSpec } from './child-spec.ts';
import { childSpecValidators } from './child-spec-validators.ts';
import { definedFields } from './defined-fields.ts';
import { describeValue } from './describe-value.ts';
import { isRecord } from './is-record.ts';
import { fail, ok, type Result } from './result.ts';
import { unknownFields } from './unknown-fields.ts';
import { runValidators } from './validator.ts';

const KNOWN = Object.freeze(['id', 'start', 'restart', 'shutdownMs', 'kind']);

/**
 * Merges DEFAULT_CHILD into `input` and validates it, gathering every problem. `isStart` checks
 * the runtime-specific start value. `at` prefixes problem paths (resolveChildSpecs passes
 * `children[i]`).
 */
export function resolveChildSpec<S>(input: unknown, isStart: (s: unknown) => s is S, at = 'child'): Result<ChildSpec<S>> {
  if (!isRecord(input)) {
    return fail([
      {
        path: at,
        code: SupervisorCodes.INVALID_CHILD_SPEC,
        message: `${at} is ${describeValue(input)}; expected an object { id, start, restart?, shutdownMs?, kind? }`,
      },
    ]);
  }
  const fields = definedFields(input);
  const kind: ChildKind = CHILD_KINDS.includes(fields['kind'] as ChildKind) ? (fields['kind'] as ChildKind) : DEFAULT_CHILD.kind;
  const merged = { restart: DEFAULT_CHILD.restart, kind: DEFAULT_CHILD.kind, shutdownMs: DEFAULT_CHILD.shutdownMs[kind], ...fields };
  const problems = [...unknownFields(input, KNOWN, at), ...runValidators(childSpecValidators(isStart), merged, at)];
  if (problems.length > 0) return fail(problems);
  const { id, start, restart, shutdownMs } = merged as ChildSpec<S>;
  return ok({ id, start, restart, shutdownMs, kind: merged.kind as ChildKind });
}
