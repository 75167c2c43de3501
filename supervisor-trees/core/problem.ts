import type { Diagnostic } from '../../protocols/index.ts';

/** One thing wrong with a spec: where (`children[2].restart`), a stable code, and how to fix it. Always an error: Cairn's Diagnostic without level or position. */
export type Problem = Pick<Diagnostic, 'path' | 'code' | 'message'>;

/** `at` joined with a field name or index into a problem path. */
export function joinPath(at: string, key: string | number): string {
  if (typeof key === 'number') return `${at}[${key}]`;
  return at === '' ? key : `${at}.${key}`;
}
