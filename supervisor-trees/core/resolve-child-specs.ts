import { SupervisorCodes } from '../../protocols/index.ts';
import type { ChildSpec } from './child-spec.ts';
import { describeValue } from './describe-value.ts';
import { isRecord } from './is-record.ts';
import { joinPath, type Problem } from './problem.ts';
import { resolveChildSpec } from './resolve-child-spec.ts';
import { fail, ok, type Result } from './result.ts';

/**
 * Resolves every child spec of one supervisor (in start order) and checks their ids are unique,
 * gathering every problem of every child. `at` prefixes problem paths.
 */
export function resolveChildSpecs<S>(inputs: unknown, isStart: (s: unknown) => s is S, at = 'children'): Result<ChildSpec<S>[]> {
  if (!Array.isArray(inputs)) {
    return fail([
      { path: at, code: SupervisorCodes.INVALID_CHILD_SPEC, message: `${at} is ${describeValue(inputs)}; expected an array of child specs in start order` },
    ]);
  }
  const problems: Problem[] = [];
  const specs: ChildSpec<S>[] = [];
  inputs.forEach((input, index) => {
    const result = resolveChildSpec(input, isStart, joinPath(at, index));
    if (result.ok) specs.push(result.value);
    else problems.push(...result.problems);
  });
  problems.push(...duplicateIds(inputs, at));
  problems.sort((a, b) => childIndex(a.path, at) - childIndex(b.path, at));
  return problems.length > 0 ? fail(problems) : ok(specs);
}

function duplicateIds(inputs: readonly unknown[], at: string): Problem[] {
  const firstIndex = new Map<string, number>();
  const problems: Problem[] = [];
  inputs.forEach((input, index) => {
    const id = isRecord(input) ? input['id'] : undefined;
    if (typeof id !== 'string') return;
    const first = firstIndex.get(id);
    if (first === undefined) {
      firstIndex.set(id, index);
      return;
    }
    const path = joinPath(joinPath(at, index), 'id');
    problems.push({
      path,
      code: SupervisorCodes.DUPLICATE_CHILD_ID,
      message: `${path} is ${describeValue(id)}, already used by ${joinPath(at, first)}; give every child of a supervisor a unique id`,
    });
  });
  return problems;
}

/** The child index a problem path points into, so each child's problems sort together. */
function childIndex(path: string, at: string): number {
  const match = /^\[(\d+)\]/.exec(path.slice(at.length));
  return match?.[1] === undefined ? -1 : Number(match[1]);
}
