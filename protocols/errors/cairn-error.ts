/**
 * The one error class every Cairn error is an instance of. `code` is stable and documented in
 * protocols/README.md; `message` names the bad value and says how to fix it.
 */
export class CairnError extends Error {
  override readonly name: string = 'CairnError';
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** One registry entry: the code, the class name errors with it carry, and what the user should do. */
export interface ErrorCodeEntry {
  readonly code: string;
  readonly summary: string;
  readonly fix: string;
}

/** True when `err` is a CairnError, optionally with the given code. */
export function isCairnError(err: unknown, code?: string): err is CairnError {
  return err instanceof CairnError && (code === undefined || err.code === code);
}
