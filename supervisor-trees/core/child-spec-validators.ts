import { SupervisorCodes } from '../../protocols/index.ts';
import { CHILD_KINDS } from './child-kind.ts';
import { describeValue } from './describe-value.ts';
import { joinPath } from './problem.ts';
import { RESTART_TYPES } from './restart-type.ts';
import { oneOf, type Validator } from './validator.ts';

/** Same rule as actor ids (protocols), so a child id can name its actor and appear in subjects. */
export const CHILD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** The rules for one child spec, run after defaults are merged in; `isStart` comes from the runtime. */
export function childSpecValidators(isStart: (s: unknown) => boolean): readonly Validator[] {
  return [validId, validStart(isStart), oneOf('restart', RESTART_TYPES, SupervisorCodes.INVALID_RESTART), validShutdown, oneOf('kind', CHILD_KINDS, SupervisorCodes.INVALID_CHILD_KIND)];
}

const validId: Validator = (fields, at) => {
  const { id } = fields;
  if (typeof id === 'string' && CHILD_ID_PATTERN.test(id)) return undefined;
  const path = joinPath(at, 'id');
  return {
    path,
    code: SupervisorCodes.INVALID_CHILD_ID,
    message: `${path} is ${describeValue(id)}; expected 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit`,
  };
};

function validStart(isStart: (s: unknown) => boolean): Validator {
  return (fields, at) => {
    const { start } = fields;
    if (start !== undefined && isStart(start)) return undefined;
    const path = joinPath(at, 'start');
    const why = start === undefined ? 'every child needs one' : 'the runtime does not know how to start it';
    return {
      path,
      code: SupervisorCodes.INVALID_CHILD_START,
      message: `${path} is ${describeValue(start)}; ${why}: set it to what the runtime starts the child from`,
    };
  };
}

const validShutdown: Validator = (fields, at) => {
  const { shutdownMs } = fields;
  if (shutdownMs === 'infinity') return undefined;
  if (typeof shutdownMs === 'number' && Number.isSafeInteger(shutdownMs) && shutdownMs >= 0) return undefined;
  const path = joinPath(at, 'shutdownMs');
  return {
    path,
    code: SupervisorCodes.INVALID_SHUTDOWN,
    message: `${path} is ${describeValue(shutdownMs)}; expected an integer >= 0 (milliseconds to wait before killing; 0 kills at once) or "infinity"`,
  };
};
