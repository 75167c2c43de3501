import type { Result } from './result.ts';
import { SupervisorSpecError } from './supervisor-spec-error.ts';

/** The value of an ok result; otherwise throws a SupervisorSpecError listing every problem. */
export function orThrow<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new SupervisorSpecError(result.problems);
}
