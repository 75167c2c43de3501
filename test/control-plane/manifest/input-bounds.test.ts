// Hostile manifests are refused quickly, each with its own code (issue 10, item 3).
import { describe, expect, it } from 'vitest';
import { ManifestLimits, parseManifest } from '../../../control-plane/index.ts';
import { ManifestDiagnosticCodes as Codes } from '../../../protocols/index.ts';

const HEAD = 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: big }\nspec:\n  actors: []\n';

function codes(text: string): string[] {
  const r = parseManifest(text, 'x.yaml');
  return r.ok ? [] : r.errors.map((e) => e.code);
}

/** CPU microseconds parseManifest takes on `text` (best of three, to drop a GC pause). */
function cpuOf(text: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t0 = process.cpuUsage();
    parseManifest(text, 'x.yaml');
    const d = process.cpuUsage(t0);
    best = Math.min(best, d.user + d.system);
  }
  return best;
}

const unknownKeys = (n: number): string => `${HEAD}  ${Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join('\n  ')}\n`;

describe('manifest input bounds', () => {
  it('bounds - a text over 1 MiB is refused before it is parsed', () => {
    const big = `${HEAD}# ${'x'.repeat(ManifestLimits.bytes)}\n`;
    expect(codes(big)).toEqual([Codes.TOO_LARGE]);
  });

  it('bounds - deep nesting is refused with its own code, however deep', () => {
    const flow = `${HEAD}  x: ${'['.repeat(200)}${']'.repeat(200)}\n`;
    expect(codes(flow)).toContain(Codes.TOO_DEEP);
    const deep = `${HEAD}  x: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`;
    expect(codes(deep)).toEqual([Codes.TOO_DEEP]);
  });

  it('bounds - a billion-laughs document is refused as too many alias expansions', () => {
    const laughs = `${HEAD}  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n`;
    expect(codes(laughs)).toEqual([Codes.YAML_ALIASES]);
  });

  it('bounds - duplicate keys are still errors with their line, found in one pass', () => {
    const r = parseManifest('apiVersion: cairn.dev/v1\nkind: Application\nkind: Application\n');
    expect(r.ok ? [] : r.errors.filter((e) => e.code === Codes.YAML_SYNTAX).map((e) => e.line)).toEqual([3]);
  });

  it('bounds - reading is linear: 20,000 unknown keys cost about ten times what 2,000 do, not a hundred', () => {
    const small = unknownKeys(2_000);
    const large = unknownKeys(20_000);
    parseManifest(small, 'warm.yaml');
    const ratio = cpuOf(large) / cpuOf(small);
    // Linear is ~10; the quadratic reading this replaced was ~100. A loose bound: the machine is shared.
    expect(ratio).toBeLessThan(30);
    const r = parseManifest(large, 'x.yaml');
    expect(r.ok ? 0 : r.errors.filter((e) => e.code === Codes.UNKNOWN_FIELD).length).toBe(20_000);
  });
});

describe('manifest input bounds, through aliases and merge keys', () => {
  it('bounds - nesting built from aliases is measured once they are expanded', () => {
    const levels = 20;
    const nested = (inner: string): string => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;
    const anchors = Array.from({ length: 5 }, (_, i) => `  a${i}: &a${i} ${nested(i === 0 ? 'x' : `*a${i - 1}`)}`).join('\n');
    const text = `${HEAD}${anchors}\n`;
    expect(codes(text)).toContain(Codes.TOO_DEEP);
  });

  it('bounds - repeated YAML 1.1 merge keys are not duplicate keys', () => {
    const text = `%YAML 1.1\n---\napiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: merge }\nx-base: &base { a: 1 }\nx-more: &more { b: 2 }\nspec:\n  actors:\n    - id: a\n      behaviour: { module: ./a.ts }\n      config:\n        <<: *base\n        <<: *more\n`;
    const result = parseManifest(text, 'merge.yaml');
    expect(result.ok ? [] : result.errors.filter((e) => e.code === Codes.YAML_SYNTAX).map((e) => e.message)).toEqual([]);
  });
});
