import { ManifestDiagnosticCodes } from '../../protocols/index.ts';
import type { Finding } from './finding.ts';

/**
 * What the applying machine found in the behaviour modules it could import (parse-with-modules.ts):
 * by actor index, why its export cannot run in its mode. Each becomes an error at
 * `spec.actors[i].behaviour.export`.
 */
export function behaviourExportFindings(problems: ReadonlyMap<number, string> = new Map()): Finding[] {
  return [...problems].map(([i, message]) => ({ level: 'error', segments: ['spec', 'actors', i, 'behaviour', 'export'], code: ManifestDiagnosticCodes.BEHAVIOUR_EXPORT_NOT_FOR_MODE, message }));
}
