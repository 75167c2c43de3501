import { SupervisorCodes } from '../../protocols/index.ts';
import { STRATEGIES } from './strategy.ts';
import { integerAtLeast, oneOf, type Validator } from './validator.ts';

/** The rules for supervisor flags other than backoff (see backoffValidators). */
export const flagValidators: readonly Validator[] = Object.freeze([
  oneOf('strategy', STRATEGIES, SupervisorCodes.INVALID_STRATEGY),
  integerAtLeast('intensity', 0, SupervisorCodes.INVALID_INTENSITY, 'the most restarts allowed within periodMs; 0 never restarts'),
  integerAtLeast('periodMs', 1, SupervisorCodes.INVALID_PERIOD, 'milliseconds in the restart window'),
]);
