import { SupervisorCodes } from '../../protocols/errors/supervisor-codes.ts';
import { joinPath, type Problem } from './problem.ts';

/** A problem for every field of `fields` not in `known`, suggesting the nearest known name. */
export function unknownFields(fields: Readonly<Record<string, unknown>>, known: readonly string[], at: string): Problem[] {
  return Object.keys(fields)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const path = joinPath(at, key);
      const guess = nearest(key, known);
      const hint = guess === undefined ? '' : ` (did you mean ${guess}?)`;
      return {
        path,
        code: SupervisorCodes.UNKNOWN_FIELD,
        message: `${path} is not a known field${hint}; known fields are ${known.join(', ')}`,
      };
    });
}

function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance; names are short, so the quadratic table is fine. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
