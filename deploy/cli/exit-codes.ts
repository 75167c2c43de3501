import { DeployCodes, KernelCodes } from '../../protocols/index.ts';

/** Process exit codes of every cairn command. */
export const ExitCodes = {
  ok: 0,
  /** The command ran and failed (server unreachable, node did not answer, actor failed...). */
  error: 1,
  /** The command line itself is wrong: unknown option, missing argument, bad JSON. */
  usage: 2,
} as const;
export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

/** Error codes that mean "the command line is wrong" (exit 2) rather than "it failed" (exit 1). */
export const USAGE_ERROR_CODES: ReadonlySet<string> = new Set([DeployCodes.CLI_USAGE, DeployCodes.CLI_INVALID_JSON, DeployCodes.CLI_MESSAGE_TYPE_MISSING, DeployCodes.CERTIFICATE_SUBJECT_INVALID, KernelCodes.INVALID_ACTOR_ID]);
