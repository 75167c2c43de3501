/**
 * One problem found in what a user wrote (a manifest, a supervisor spec): `path` is written the way
 * a user reads it (`spec.actors[1].restart`), `code` is stable. Cairn's one diagnostic type.
 */
export interface Diagnostic {
  readonly level: 'error' | 'warning';
  /** Field path, e.g. `spec.actors[1].restart`; `''` for the document as a whole. */
  readonly path: string;
  /** Stable code (ManifestDiagnosticCodes, SupervisorCodes). */
  readonly code: string;
  /** Names the bad value and the fix. */
  readonly message: string;
  /** 1-based position in the YAML text, when known. */
  readonly line?: number;
  readonly column?: number;
}

