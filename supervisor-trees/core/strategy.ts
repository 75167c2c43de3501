/**
 * What a supervisor restarts when one child fails (OTP `strategy`):
 * - `one_for_one`: the failed child only.
 * - `one_for_all`: every child (the others are stopped first, in reverse start order).
 * - `rest_for_one`: the failed child and every child started after it.
 * - `simple_one_for_one`: like one_for_one, for children added at run time with `addChild`;
 *   children that are not restarted are forgotten.
 */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';

/** Every strategy, for validation and messages. */
export const STRATEGIES: readonly Strategy[] = Object.freeze([
  'one_for_one',
  'one_for_all',
  'rest_for_one',
  'simple_one_for_one',
]);
