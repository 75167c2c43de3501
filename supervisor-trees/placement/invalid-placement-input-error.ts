import { CairnError } from '../../protocols/index.ts';
import { PlacementCodes } from '../../protocols/index.ts';

/** Thrown by `place` with every problem found in its input, not just the first. */
export class InvalidPlacementInputError extends CairnError {
  override readonly name = 'InvalidPlacementInputError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      PlacementCodes.INVALID_PLACEMENT_INPUT,
      `placement input has ${problems.length} problem(s):\n${problems.map((p) => `[error] ${p}`).join('\n')}`,
      { details: { problems } },
    );
    this.problems = problems;
  }
}
