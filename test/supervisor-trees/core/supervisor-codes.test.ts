import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SupervisorCodes, supervisorCodeEntries } from '../../../protocols/errors/supervisor-codes.ts';

describe('supervisorCodeEntries', () => {
  it('supervisorCodeEntries - has exactly one entry, with summary and fix, per code', () => {
    const codes = Object.values(SupervisorCodes);
    expect(supervisorCodeEntries.map((e) => e.code).sort()).toEqual([...codes].sort());
    for (const entry of supervisorCodeEntries) {
      expect(entry.code).toMatch(/^CAIRN_[A-Z_]+$/);
      expect(entry.summary.length).toBeGreaterThan(10);
      expect(entry.fix.length).toBeGreaterThan(10);
    }
  });

  it('supervisorCodeEntries - every code is documented in docs/supervision.md', () => {
    const docs = readFileSync(new URL('../../../docs/supervision.md', import.meta.url), 'utf8');
    const missing = Object.values(SupervisorCodes).filter((code) => !docs.includes(code));
    expect(missing).toEqual([]);
  });
});
