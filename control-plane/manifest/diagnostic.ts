import type { Diagnostic } from '../../protocols/index.ts';

export type { Diagnostic };

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `['spec', 'actors', 1, 'restart']` → `spec.actors[1].restart`; odd keys are quoted: `labels["a.b"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export interface FormatOptions {
  /** Add `source:line:column` (or `line:column`) before each path when the position is known. */
  readonly positions?: boolean;
  /** File name shown with positions. */
  readonly source?: string;
}

/**
 * One line per diagnostic, errors first, in document order within each level:
 * `[error] spec.actors[1].restart: "sometimes" is not one of permanent, transient, temporary`.
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: FormatOptions = {}): string {
  const rank = (d: Diagnostic): number => (d.level === 'error' ? 0 : 1);
  return [...diagnostics]
    .map((d, index) => ({ d, index }))
    .sort((a, b) => rank(a.d) - rank(b.d) || a.index - b.index)
    .map(({ d }) => {
      const where = d.path === '' ? '(document)' : d.path;
      const position =
        options.positions === true && d.line !== undefined
          ? `${options.source === undefined ? '' : `${options.source}:`}${d.line}:${d.column ?? 1} `
          : '';
      return `[${d.level}] ${position}${where}: ${d.message}`;
    })
    .join('\n');
}
