// Property-based tests (fast-check) of what Cairn reads from outside: manifests mutated from valid
// ones, envelopes off the wire, CLI JSON. Invariants: no crash, no hang, every rejection a
// registered code. A bounded run in the suite; `npm run fuzz` runs long (FUZZ_RUNS).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseManifest, parseManifestOrThrow } from '../../control-plane/index.ts';
import { parseJsonMessage } from '../../deploy/cli/index.ts';
import { ManifestDiagnosticCodes, decodeEnvelope, encodeEnvelope, encodeValue, errorCodes, isCairnError } from '../../protocols/index.ts';
import type { Envelope } from '../../protocols/index.ts';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 150);
const registered = new Set<string>(errorCodes.map((e) => e.code));
const diagnosticCodes = new Set<string>(Object.values(ManifestDiagnosticCodes));

const EXAMPLES = ['minimal.yaml', 'edge-sensor-pipeline.yaml', 'build-from-source.yaml'].map((f) =>
  parseManifestOrThrow(readFileSync(fileURLToPath(new URL(`../../examples/manifests/${f}`, import.meta.url)), 'utf8')).app as unknown,
);

/** Every path (list of keys and indexes) into a JSON value. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => paths(v, [...at, i]))];
  if (typeof value === 'object' && value !== null) return [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  return [at];
}

function setAt(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

/** Values a hostile or careless author writes: wrong types, extremes, unknown fields, deep structures. */
const hostileValue = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.constantFrom(0, -1, 1e300, -1e300, 2 ** 53, 1.5, '', ' ', 'x'.repeat(5_000), null, true, [], {}),
  fc.integer(),
  fc.string({ maxLength: 200 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 2 }), { maxKeys: 20 }),
  fc.nat({ max: 80 }).map((depth) => Array.from({ length: depth }).reduce<unknown>((inner) => [inner], 'x')),
);

const mutatedManifest = fc
  .tuple(fc.nat({ max: EXAMPLES.length - 1 }), fc.array(fc.tuple(fc.nat(), hostileValue), { minLength: 1, maxLength: 4 }))
  .map(([which, mutations]) => {
    let doc = EXAMPLES[which];
    for (const [pick, value] of mutations) {
      const all = paths(doc);
      doc = setAt(doc, all[pick % all.length]!, value);
    }
    // A root replaced by `undefined` serializes to nothing: an empty file, hostile input too.
    return (stringify(doc) as string | undefined) ?? '';
  });

function rejectsWithRegisteredCode(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(isCairnError(err), `not a CairnError: ${String(err)}`).toBe(true);
    expect(registered.has((err as { code: string }).code), (err as { code: string }).code).toBe(true);
  }
}

describe('hostile input (property-based)', () => {
  it('fuzz - a manifest mutated from a valid one is accepted or refused with registered diagnostic codes, never thrown on', () => {
    fc.assert(
      fc.property(mutatedManifest, (text) => {
        const result = parseManifest(text, 'fuzz.yaml');
        if (!result.ok) for (const d of result.errors) expect(diagnosticCodes.has(d.code), d.code).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('fuzz - arbitrary text as a manifest is refused with registered codes, never thrown on', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 2_000 }), fc.string({ unit: 'binary', maxLength: 500 })), (text) => {
        const result = parseManifest(text);
        if (!result.ok) for (const d of result.errors) expect(diagnosticCodes.has(d.code), d.code).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('fuzz - random bytes, truncated envelopes and wrong shapes are decoded or refused with a registered code', () => {
    const valid: Envelope = { v: 1, id: 'abc', type: 'work', from: 'a/b', to: 'a/c', ts: 1, body: { type: 'work', n: 1 } };
    const bytes = encodeEnvelope(valid);
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 2_000 }),
      fc.nat({ max: bytes.length }).map((n) => bytes.slice(0, n)),
      fc.anything({ maxDepth: 3 }).map((v) => encodeValue(v)),
      fc.record({ v: fc.anything(), id: fc.anything(), type: fc.anything(), to: fc.anything(), ts: fc.anything(), body: fc.anything() }, { requiredKeys: [] }).map((v) => encodeValue(v)),
    );
    fc.assert(
      fc.property(inputs, (input) => rejectsWithRegisteredCode(() => decodeEnvelope(input))),
      { numRuns: RUNS * 2 },
    );
  });

  it('fuzz - CLI JSON messages are parsed or refused with a registered code', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 500 }), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => rejectsWithRegisteredCode(() => parseJsonMessage(text))),
      { numRuns: RUNS * 2 },
    );
  });
});
