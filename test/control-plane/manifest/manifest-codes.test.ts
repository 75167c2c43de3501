import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManifestCodes, ManifestDiagnosticCodes, manifestCodeEntries } from '../../../protocols/errors/manifest-codes.ts';

const docs = readFileSync(new URL('../../../docs/manifest.md', import.meta.url), 'utf8');

describe('manifest codes', () => {
  it('manifest codes - every thrown code has a registry entry with a fix', () => {
    expect(manifestCodeEntries.map((e) => e.code).sort()).toEqual(Object.values(ManifestCodes).sort());
    for (const entry of manifestCodeEntries) expect(entry.fix.length).toBeGreaterThan(10);
  });

  it('manifest codes - every code is documented in docs/manifest.md', () => {
    const undocumented = [...Object.values(ManifestCodes), ...Object.values(ManifestDiagnosticCodes)].filter((code) => !docs.includes(code));
    expect(undocumented).toEqual([]);
  });
});
