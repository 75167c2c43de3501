import { ManifestDiagnosticCodes } from '../../protocols/index.ts';
import type { ManifestDiagnosticCode } from '../../protocols/index.ts';
import type { Finding } from './finding.ts';

/**
 * What the applying machine found in the behaviour modules it could import (parse-with-modules.ts):
 * by actor index, why its export cannot run in its mode. Each becomes an error at
 * `spec.actors[i].behaviour.export`.
 */
export function behaviourExportFindings(problems: ReadonlyMap<number, string> = new Map()): Finding[] {
  return [...problems].map(([i, message]) => ({ level: 'error', segments: ['spec', 'actors', i, 'behaviour', 'export'], code: ManifestDiagnosticCodes.BEHAVIOUR_EXPORT_NOT_FOR_MODE, message }));
}

/**
 * What the applying machine found wrong with the behaviour files it delivers (control-plane
 * artifacts): by actor index, a missing file or one that does not build, each an error at
 * `spec.actors[i].behaviour.module` with its own code.
 */
export function behaviourFileFindings(problems: ReadonlyMap<number, { readonly code: ManifestDiagnosticCode; readonly message: string }> = new Map()): Finding[] {
  return [...problems].map(([i, p]) => ({ level: 'error', segments: ['spec', 'actors', i, 'behaviour', 'module'], code: p.code, message: p.message }));
}
