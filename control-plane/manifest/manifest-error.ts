import { CairnError } from '../../protocols/index.ts';
import { ManifestCodes } from '../../protocols/index.ts';
import type { Diagnostic } from './diagnostic.ts';

export type ManifestErrorCode = (typeof ManifestCodes)[keyof typeof ManifestCodes];

/**
 * A manifest that cannot be used: CAIRN_MANIFEST_INVALID with every diagnostic (errors and
 * warnings), or CAIRN_MANIFEST_NOT_FOUND for a missing file.
 */
export class ManifestError extends CairnError {
  override readonly name = 'ManifestError';
  readonly diagnostics: readonly Diagnostic[];
  /** The file (or other source name) the manifest came from, when known. */
  readonly source: string | undefined;

  constructor(
    code: ManifestErrorCode,
    message: string,
    options: { diagnostics?: readonly Diagnostic[]; source?: string; cause?: unknown } = {},
  ) {
    super(code, message, {
      cause: options.cause,
      details: { source: options.source, diagnostics: options.diagnostics ?? [] },
    });
    this.diagnostics = options.diagnostics ?? [];
    this.source = options.source;
  }

  /** Errors only (the diagnostics also hold warnings). */
  get errors(): readonly Diagnostic[] {
    return this.diagnostics.filter((d) => d.level === 'error');
  }
}
