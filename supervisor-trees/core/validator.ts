import { describeValue } from './describe-value.ts';
import { joinPath, type Problem } from './problem.ts';

/** One rule about one field of a spec, whose defaults are already merged in (OTP style: one per rule). */
export type Validator = (fields: Readonly<Record<string, unknown>>, at: string) => Problem | undefined;

/** Every problem the validators find; runs them all rather than stopping at the first. */
export function runValidators(validators: readonly Validator[], fields: Readonly<Record<string, unknown>>, at: string): Problem[] {
  const problems: Problem[] = [];
  for (const validate of validators) {
    const problem = validate(fields, at);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

/** Rule: `fields[field]` is one of `allowed`. */
export function oneOf(field: string, allowed: readonly string[], code: string): Validator {
  return (fields, at) => {
    const value = fields[field];
    if (typeof value === 'string' && allowed.includes(value)) return undefined;
    const path = joinPath(at, field);
    return { path, code, message: `${path} is ${describeValue(value)}; expected one of ${allowed.join(', ')}` };
  };
}

/** Rule: `fields[field]` is an integer >= `min`; `meaning` tells the user what the number is for. */
export function integerAtLeast(field: string, min: number, code: string, meaning: string): Validator {
  return (fields, at) => {
    const value = fields[field];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return undefined;
    const path = joinPath(at, field);
    return { path, code, message: `${path} is ${describeValue(value)}; expected an integer >= ${min} (${meaning})` };
  };
}
