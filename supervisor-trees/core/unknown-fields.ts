import { SupervisorCodes } from '../../protocols/index.ts';
import { closestName } from '../../protocols/index.ts';
import { joinPath, type Problem } from './problem.ts';

/** A problem for every field of `fields` not in `known`, suggesting the nearest known name. */
export function unknownFields(fields: Readonly<Record<string, unknown>>, known: readonly string[], at: string): Problem[] {
  return Object.keys(fields)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const path = joinPath(at, key);
      const guess = closestName(key, known, Math.max(2, Math.floor(key.length / 3)));
      const hint = guess === undefined ? '' : ` (did you mean ${guess}?)`;
      return {
        path,
        code: SupervisorCodes.UNKNOWN_FIELD,
        message: `${path} is not a known field${hint}; known fields are ${known.join(', ')}`,
      };
    });
}
