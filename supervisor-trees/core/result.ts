import type { Problem } from './problem.ts';

/** A validated value, or every problem found while validating it. */
export type Result<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(problems: Problem[]): Result<T> {
  return { ok: false, problems };
}
