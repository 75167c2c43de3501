import { describe, expect, it } from 'vitest';
import { DeployCodes, deployCodeEntries } from '../../../protocols/errors/deploy-codes.ts';

describe('deploy codes', () => {
  it('deploy codes - every code has exactly one registry entry with a summary and a fix', () => {
    const codes = Object.values(DeployCodes);
    expect(deployCodeEntries.map((e) => e.code).sort()).toEqual([...codes].sort());
    for (const entry of deployCodeEntries) {
      expect(entry.code).toMatch(/^CAIRN_[A-Z_]+$/);
      expect(entry.summary.length).toBeGreaterThan(10);
      expect(entry.fix.length).toBeGreaterThan(10);
    }
  });
});
