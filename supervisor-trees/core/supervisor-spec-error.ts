import { CairnError } from '../../protocols/index.ts';
import { SupervisorCodes } from '../../protocols/index.ts';
import type { Problem } from './problem.ts';

/** Thrown by orThrow when flags or child specs are invalid; carries every problem found. */
export class SupervisorSpecError extends CairnError {
  override readonly name = 'SupervisorSpecError';
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], options: { cause?: unknown } = {}) {
    const lines = problems.map((p) => `[error] ${p.code} ${p.message}`);
    super(SupervisorCodes.INVALID_SUPERVISOR_SPEC, `invalid supervisor spec (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, {
      ...options,
      details: { problems },
    });
    this.problems = Object.freeze([...problems]);
  }
}
