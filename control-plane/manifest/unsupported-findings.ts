import { ManifestDiagnosticCodes as Codes } from '../../protocols/index.ts';
import { error } from './finding.ts';
import type { Finding } from './finding.ts';

/*
 * Fields the schema describes but Cairn does not execute (yet, or in the actor's mode). A manifest
 * using one is refused: a setting that is accepted and then ignored is worse than an error.
 */

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

export function unsupportedFindings(data: unknown): Finding[] {
  if (!isRecord(data) || !isRecord(data['spec'])) return [];
  const spec = data['spec'];
  const findings: Finding[] = [];
  (Array.isArray(spec['actors']) ? spec['actors'] : []).forEach((actor: unknown, index) => {
    if (!isRecord(actor)) return;
    const env = actor['env'];
    if ((actor['mode'] ?? 'inline') === 'inline' && isRecord(env) && Object.keys(env).length > 0) {
      findings.push(
        error(
          ['spec', 'actors', index, 'env'],
          Codes.SETTING_NOT_FOR_MODE,
          `an inline actor runs in the node's process and shares its environment${actor['mode'] === undefined ? ' (inline is the default mode)' : ''}: env applies in worker, process and container modes; pick one of those or remove env`,
        ),
      );
    }
    const resources = actor['resources'];
    if ((actor['mode'] ?? 'inline') !== 'container' && isRecord(resources) && resources['pids'] !== undefined) {
      findings.push(
        error(
          ['spec', 'actors', index, 'resources', 'pids'],
          Codes.SETTING_NOT_FOR_MODE,
          `a pids limit is set on containers only, and this actor's mode is ${JSON.stringify(actor['mode'] ?? 'inline')}${actor['mode'] === undefined ? ' (the default)' : ''}: use mode: container or remove resources.pids (cpu and memoryMb still guide placement)`,
        ),
      );
    }
  });
  return findings;
}
