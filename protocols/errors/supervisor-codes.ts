import type { ErrorCodeEntry } from './cairn-error.ts';

/** Error codes raised by supervisor-trees/: spec validation problems and supervision failures. */
export const SupervisorCodes = {
  INVALID_SUPERVISOR_SPEC: 'CAIRN_INVALID_SUPERVISOR_SPEC',
  INVALID_FLAGS: 'CAIRN_INVALID_FLAGS',
  INVALID_STRATEGY: 'CAIRN_INVALID_STRATEGY',
  INVALID_INTENSITY: 'CAIRN_INVALID_INTENSITY',
  INVALID_PERIOD: 'CAIRN_INVALID_PERIOD',
  INVALID_BACKOFF: 'CAIRN_INVALID_BACKOFF',
  INVALID_CHILD_SPEC: 'CAIRN_INVALID_CHILD_SPEC',
  INVALID_CHILD_ID: 'CAIRN_INVALID_CHILD_ID',
  DUPLICATE_CHILD_ID: 'CAIRN_DUPLICATE_CHILD_ID',
  INVALID_CHILD_START: 'CAIRN_INVALID_CHILD_START',
  INVALID_RESTART: 'CAIRN_INVALID_RESTART',
  INVALID_SHUTDOWN: 'CAIRN_INVALID_SHUTDOWN',
  INVALID_CHILD_KIND: 'CAIRN_INVALID_CHILD_KIND',
  UNKNOWN_FIELD: 'CAIRN_UNKNOWN_FIELD',
  SUPERVISOR_INTENSITY_EXCEEDED: 'CAIRN_SUPERVISOR_INTENSITY_EXCEEDED',
  SHUTDOWN_TIMEOUT: 'CAIRN_SHUTDOWN_TIMEOUT',
} as const;

export type SupervisorCode = (typeof SupervisorCodes)[keyof typeof SupervisorCodes];

export const supervisorCodeEntries: readonly ErrorCodeEntry[] = [
  {
    code: SupervisorCodes.INVALID_SUPERVISOR_SPEC,
    summary: 'Supervisor flags or child specs failed validation; the error lists every problem found.',
    fix: 'Fix each listed problem (each names the field path, the bad value and what is expected).',
  },
  {
    code: SupervisorCodes.INVALID_FLAGS,
    summary: 'Supervisor flags are not an object.',
    fix: 'Give flags as an object such as { strategy: "one_for_one", intensity: 3, periodMs: 5000 }, or leave them out for the defaults.',
  },
  {
    code: SupervisorCodes.INVALID_STRATEGY,
    summary: 'The restart strategy is not one Cairn knows.',
    fix: 'Use one of one_for_one, one_for_all, rest_for_one, simple_one_for_one.',
  },
  {
    code: SupervisorCodes.INVALID_INTENSITY,
    summary: 'The restart intensity is not a non-negative integer.',
    fix: 'Set intensity to an integer >= 0: the most restarts allowed within periodMs (0 means never restart).',
  },
  {
    code: SupervisorCodes.INVALID_PERIOD,
    summary: 'The restart period is not a positive integer number of milliseconds.',
    fix: 'Set periodMs to an integer > 0, e.g. 5000.',
  },
  {
    code: SupervisorCodes.INVALID_BACKOFF,
    summary: 'The restart backoff is malformed (not an object, or a field out of range).',
    fix: 'Give backoff as { initialMs > 0, maxMs >= initialMs, multiplier >= 1, resetAfterMs >= 0 } (integers except multiplier), or leave it out.',
  },
  {
    code: SupervisorCodes.INVALID_CHILD_SPEC,
    summary: 'A child spec is not an object, or the child spec list is not an array.',
    fix: 'Give each child as an object { id, start, restart?, shutdownMs?, kind? } inside an array.',
  },
  {
    code: SupervisorCodes.INVALID_CHILD_ID,
    summary: 'A child id is missing or not a valid id.',
    fix: 'Use 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit.',
  },
  {
    code: SupervisorCodes.DUPLICATE_CHILD_ID,
    summary: 'Two children of the same supervisor share an id.',
    fix: 'Give every child of a supervisor a unique id.',
  },
  {
    code: SupervisorCodes.INVALID_CHILD_START,
    summary: 'A child spec has no start value, or the runtime does not recognise it.',
    fix: 'Set start to what the runtime starts the child from (for example an actor definition).',
  },
  {
    code: SupervisorCodes.INVALID_RESTART,
    summary: 'The restart type of a child is not one Cairn knows.',
    fix: 'Use one of permanent, transient, temporary.',
  },
  {
    code: SupervisorCodes.INVALID_SHUTDOWN,
    summary: 'The shutdown timeout of a child is neither a non-negative integer nor "infinity".',
    fix: 'Set shutdownMs to milliseconds to wait before killing (0 kills at once), or "infinity" for supervisors.',
  },
  {
    code: SupervisorCodes.INVALID_CHILD_KIND,
    summary: 'The kind of a child is not worker or supervisor.',
    fix: 'Use kind "worker" for actors and "supervisor" for nested supervisors.',
  },
  {
    code: SupervisorCodes.UNKNOWN_FIELD,
    summary: 'Supervisor flags, backoff or a child spec contains a field Cairn does not know.',
    fix: 'Remove the field or correct its spelling; the message lists the known fields.',
  },
  {
    code: SupervisorCodes.SUPERVISOR_INTENSITY_EXCEEDED,
    summary: 'A supervisor restarted its children more than intensity times within periodMs and gave up.',
    fix: 'Find why the child keeps failing (see its exit reasons); raise intensity/periodMs or add backoff only if the failures are expected to pass.',
  },
  {
    code: SupervisorCodes.SHUTDOWN_TIMEOUT,
    summary: 'A child did not stop within its shutdownMs and was killed.',
    fix: 'Make the child stop faster when asked (finish or abandon in-flight work), or raise its shutdownMs.',
  },
];
