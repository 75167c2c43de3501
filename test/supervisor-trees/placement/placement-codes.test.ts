import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PlacementCodes, placementCodeEntries } from '../../../protocols/errors/placement-codes.ts';

describe('placement codes', () => {
  it('placement codes - the registry, the code constants and docs/placement.md agree', () => {
    const docs = readFileSync(new URL('../../../docs/placement.md', import.meta.url), 'utf8');
    expect(placementCodeEntries.map((e) => e.code).sort()).toEqual(Object.values(PlacementCodes).sort());
    for (const e of placementCodeEntries) {
      expect(e.code).toMatch(/^CAIRN_[A-Z_]+$/);
      expect(docs).toContain(`\`${e.code}\``);
    }
  });
});
