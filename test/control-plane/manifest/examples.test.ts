import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, parseManifest } from '../../../control-plane/manifest/index.ts';

const dir = fileURLToPath(new URL('../../../examples/manifests/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));

describe('examples/manifests', () => {
  it('examples - there are examples to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('examples - %s is valid and has no warnings', (file) => {
    const result = parseManifest(readFileSync(`${dir}${file}`, 'utf8'), file);
    const diagnostics = result.ok ? result.warnings : [...result.errors, ...result.warnings];
    expect(formatDiagnostics(diagnostics, { positions: true, source: file })).toBe('');
    expect(result.ok).toBe(true);
  });
});

describe('examples/manifests runnable or marked', () => {
  it.each(files)('examples - %s either runs as it is (a test applies it) or says it is reference only', (file) => {
    const text = readFileSync(`${dir}${file}`, 'utf8');
    const runs = ['minimal.yaml'];
    expect(runs.includes(file) || /^# REFERENCE ONLY: /m.test(text), file).toBe(true);
  });
});

describe('docs/manifest.md', () => {
  it('docs example - the full example in the reference is valid', () => {
    const docs = readFileSync(new URL('../../../docs/manifest.md', import.meta.url), 'utf8');
    const example = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').find((block) => block.includes('kind: Application'));
    expect(example).toBeDefined();
    const result = parseManifest(example ?? '', 'docs/manifest.md');
    expect(result.ok ? result.warnings : result.errors).toEqual([]);
  });
});
