// Every numeric manifest field has a maximum, so that no node materialises work or waits in
// proportion to an unbounded number from input (issue 10, item 1).
import { describe, expect, it } from 'vitest';
import { ManifestLimits, applicationJsonSchema, parseManifest } from '../../../control-plane/index.ts';
import { ManifestDiagnosticCodes } from '../../../protocols/index.ts';

const absurd = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: absurd }
spec:
  supervisor:
    intensity: 1000000000
    periodMs: 99999999999
    backoff: { initialMs: 99999999999, maxMs: 99999999999, multiplier: 1000000, resetAfterMs: 99999999999 }
  actors:
    - id: a
      behaviour: { module: ./a.ts }
      replicas: 1000000000
      shutdownMs: 99999999999
      mailbox: { maxAttempts: 1000000000 }
      resources: { cpu: 100000, memoryMb: 999999999, pids: 999999999 }
`;

/** Every numeric property of a JSON Schema, with its path. */
function numericFields(schema: unknown, at = ''): { path: string; maximum: unknown }[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const here = s['type'] === 'integer' || s['type'] === 'number' ? [{ path: at, maximum: s['maximum'] }] : [];
  const nested = Object.entries(s).flatMap(([k, v]) => (k === 'properties' && typeof v === 'object' && v !== null ? Object.entries(v).flatMap(([name, sub]) => numericFields(sub, `${at}.${name}`)) : k === 'items' || k === 'anyOf' || k === 'oneOf' || k === 'allOf' ? [v].flat().flatMap((sub) => numericFields(sub, at)) : []));
  return [...here, ...nested];
}

describe('manifest limits', () => {
  it('limits - every number in the schema has a maximum', () => {
    const fields = numericFields(applicationJsonSchema());
    expect(fields.length).toBeGreaterThan(10);
    expect(fields.filter((f) => typeof f.maximum !== 'number').map((f) => f.path)).toEqual([]);
  });

  it('limits - a manifest of absurd numbers is refused whole, each field named with its maximum, before anything is stored', () => {
    const result = parseManifest(absurd, 'absurd.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const ranged = result.errors.filter((e) => e.code === ManifestDiagnosticCodes.OUT_OF_RANGE).map((e) => e.path);
    expect(ranged.sort()).toEqual(
      [
        'spec.supervisor.intensity',
        'spec.supervisor.periodMs',
        'spec.supervisor.backoff.initialMs',
        'spec.supervisor.backoff.maxMs',
        'spec.supervisor.backoff.multiplier',
        'spec.supervisor.backoff.resetAfterMs',
        'spec.actors[0].replicas',
        'spec.actors[0].shutdownMs',
        'spec.actors[0].mailbox.maxAttempts',
        'spec.actors[0].resources.cpu',
        'spec.actors[0].resources.memoryMb',
        'spec.actors[0].resources.pids',
        'spec.actors',
      ].sort(),
    );
    expect(result.errors.find((e) => e.path === 'spec.actors[0].replicas')?.message).toContain(String(ManifestLimits.replicas));
  });

  it('limits - the instances an application asks a site for are bounded in all, not only per actor', () => {
    const wide = (count: number): string =>
      `apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: wide }\nspec:\n  actors:\n${Array.from({ length: count }, (_, i) => `    - { id: a${i}, behaviour: { module: ./a.ts }, replicas: 1000 }`).join('\n')}\n`;
    const result = parseManifest(wide(11), 'wide.yaml');
    expect(result.ok ? [] : result.errors.map((e) => [e.path, e.code])).toEqual([['spec.actors', ManifestDiagnosticCodes.OUT_OF_RANGE]]);
    expect(parseManifest(wide(10), 'ok.yaml').ok).toBe(true);
  });

  it('limits - the largest allowed values are accepted', () => {
    const max = absurd
      .replace('intensity: 1000000000', `intensity: ${ManifestLimits.intensity}`)
      .replace('periodMs: 99999999999', `periodMs: ${ManifestLimits.timerMs}`)
      .replace('{ initialMs: 99999999999, maxMs: 99999999999, multiplier: 1000000, resetAfterMs: 99999999999 }', `{ initialMs: 1, maxMs: ${ManifestLimits.timerMs}, multiplier: ${ManifestLimits.multiplier}, resetAfterMs: ${ManifestLimits.timerMs} }`)
      .replace('replicas: 1000000000', `replicas: ${ManifestLimits.replicas}`)
      .replace('shutdownMs: 99999999999', `shutdownMs: ${ManifestLimits.timerMs}`)
      .replace('maxAttempts: 1000000000', `maxAttempts: ${ManifestLimits.maxAttempts}`)
      .replace('{ cpu: 100000, memoryMb: 999999999, pids: 999999999 }', `{ cpu: ${ManifestLimits.cpu}, memoryMb: ${ManifestLimits.memoryMb}, pids: ${ManifestLimits.pids} }`);
    const result = parseManifest(max, 'max.yaml');
    expect(result.ok ? [] : result.errors.filter((e) => e.code === ManifestDiagnosticCodes.OUT_OF_RANGE)).toEqual([]);
  });
});
