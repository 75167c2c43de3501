import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Streams, errorCodes } from '../../protocols/index.ts';
import { renderErrorTable } from '../../protocols/error-table.ts';
import { ManifestDiagnosticCodes } from '../../protocols/errors/manifest-codes.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const rel = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(rel)));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

describe('error codes', () => {
  it('error codes - every registry entry is unique, prefixed, and says what to do', () => {
    const codes = errorCodes.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const e of errorCodes) {
      expect(e.code).toMatch(/^CAIRN_[A-Z0-9_]+$/);
      expect(e.summary.length).toBeGreaterThan(10);
      expect(e.fix.length).toBeGreaterThan(5);
    }
  });

  it('error codes - protocols/README.md carries the table generated from the registry', async () => {
    const readme = await readFile(join(ROOT, 'protocols/README.md'), 'utf8');
    expect(readme).toContain(renderErrorTable());
  });

  it('error codes - every code the source raises is in the registry', async () => {
    // Manifest diagnostics carry their own codes inside one CAIRN_MANIFEST_INVALID error; they are
    // documented (and kept in step by a test) in docs/manifest.md.
    const registered = new Set([...errorCodes.map((e) => e.code), ...Object.values(ManifestDiagnosticCodes)]);
    const used = new Set<string>();
    const envNames = new Set<string>();
    for (const dir of ['protocols', 'kernel', 'supervisor-trees', 'actors', 'deploy']) {
      for (const file of await sourceFiles(dir).catch(() => [])) {
        const text = await readFile(join(ROOT, file), 'utf8');
        for (const m of text.matchAll(/'(CAIRN_[A-Z0-9_]+)'/g)) used.add(m[1]!);
        // Environment variables (CAIRN_SERVER...) share the prefix but are not error codes.
        for (const m of text.matchAll(/env(?:\.|\[')(CAIRN_[A-Z0-9_]+)/g)) envNames.add(m[1]!);
      }
    }
    // Stream names with fixed names (CAIRN_CHUNKS) share the prefix too.
    const streamNames = new Set<string>(Object.values(Streams).flatMap((v) => (typeof v === 'string' ? [v] : [])));
    const missing = [...used].filter((c) => !registered.has(c) && !envNames.has(c) && !streamNames.has(c));
    expect(missing).toEqual([]);
  });
});
