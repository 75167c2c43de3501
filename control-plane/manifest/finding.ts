import type { ManifestDiagnosticCode } from '../../protocols/index.ts';
import type { PathSegment } from './diagnostic.ts';

/** A diagnostic before it is placed in the YAML text: the path is still a list of segments. */
export interface Finding {
  readonly level: 'error' | 'warning';
  readonly segments: readonly PathSegment[];
  readonly code: ManifestDiagnosticCode;
  readonly message: string;
}

export function error(segments: readonly PathSegment[], code: ManifestDiagnosticCode, message: string): Finding {
  return { level: 'error', segments, code, message };
}

export function warning(segments: readonly PathSegment[], code: ManifestDiagnosticCode, message: string): Finding {
  return { level: 'warning', segments, code, message };
}
