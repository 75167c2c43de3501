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
 * What the applying machine found wrong with the files it delivers (control-plane artifacts): a
 * missing behaviour (or third-party module) file or one that does not build, each an error at
 * `spec.actors[i].behaviour.module` (`spec.actors[i].module`), a missing entry of `files` at
 * `spec.actors[i].files.<name>`, or a folder at its own field (`program.dir`, `container.build.context`).
 */
export function behaviourFileFindings(problems: readonly FileProblem[] = []): Finding[] {
  return problems.map((p) => ({ level: 'error', segments: p.field !== undefined ? ['spec', 'actors', p.index, ...p.field] : p.file !== undefined ? ['spec', 'actors', p.index, 'files', p.file] : p.module ? ['spec', 'actors', p.index, 'module'] : ['spec', 'actors', p.index, 'behaviour', 'module'], code: p.code, message: p.message }));
}

/** A local file the manifest names that is missing or does not build: a behaviour's module, or one of `files` (`file`: its name). */
export interface FileProblem {
  /** Index of the actor in spec.actors. */
  readonly index: number;
  readonly file?: string;
  /** The actor's `module` (a third-party module by path), not its behaviour's. */
  readonly module?: boolean;
  /** Any other field, by its path under the actor (e.g. ['program', 'dir']). */
  readonly field?: readonly string[];
  readonly code: ManifestDiagnosticCode;
  readonly message: string;
}
