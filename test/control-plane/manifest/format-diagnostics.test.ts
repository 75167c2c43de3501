import { describe, expect, it } from 'vitest';
import { formatDiagnostics, formatPath } from '../../../control-plane/manifest/index.ts';
import type { Diagnostic } from '../../../control-plane/manifest/index.ts';

const restart: Diagnostic = {
  level: 'error',
  path: 'spec.actors[1].restart',
  code: 'CAIRN_MANIFEST_NOT_ALLOWED',
  message: '"sometimes" is not one of permanent, transient, temporary',
  line: 12,
  column: 16,
};
const ignored: Diagnostic = { level: 'warning', path: 'spec.actors[0].container', code: 'CAIRN_MANIFEST_CONTAINER_SETTINGS_IGNORED', message: 'ignored', line: 3, column: 7 };

describe('formatDiagnostics', () => {
  it('formatDiagnostics - writes one line per diagnostic, errors before warnings', () => {
    expect(formatDiagnostics([ignored, restart])).toBe(
      '[error] spec.actors[1].restart: "sometimes" is not one of permanent, transient, temporary\n[warning] spec.actors[0].container: ignored',
    );
  });

  it('formatDiagnostics - adds source:line:column when asked', () => {
    expect(formatDiagnostics([restart], { positions: true, source: 'app.yaml' })).toBe(
      '[error] app.yaml:12:16 spec.actors[1].restart: "sometimes" is not one of permanent, transient, temporary',
    );
  });

  it('formatDiagnostics - names the whole document when the path is empty', () => {
    expect(formatDiagnostics([{ level: 'error', path: '', code: 'X', message: 'the manifest is empty' }])).toBe('[error] (document): the manifest is empty');
  });

  it('formatPath - uses dots, indices and quotes keys that are not identifiers', () => {
    expect(formatPath(['spec', 'actors', 1, 'restart'])).toBe('spec.actors[1].restart');
    expect(formatPath(['metadata', 'annotations', 'cairn.dev/owner'])).toBe('metadata.annotations["cairn.dev/owner"]');
    expect(formatPath(['metadata', 'labels', 'edge-zone'])).toBe('metadata.labels.edge-zone');
    expect(formatPath([])).toBe('');
  });
});
