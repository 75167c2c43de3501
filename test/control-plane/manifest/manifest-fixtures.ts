import { stringify } from 'yaml';
import { parseManifest } from '../../../control-plane/manifest/index.ts';
import type { Diagnostic, ManifestResult } from '../../../control-plane/manifest/index.ts';

/** A valid application as plain data; tests change one thing at a time. */
export function validManifest(): Record<string, any> {
  return {
    apiVersion: 'cairn.dev/v1',
    kind: 'Application',
    metadata: { name: 'pipeline' },
    spec: {
      actors: [
        { id: 'ingest', behaviour: { module: './ingest.ts' } },
        { id: 'detector', behaviour: { module: './detector.ts' }, mode: 'container', container: { image: 'ghcr.io/acme/detector:1' } },
      ],
      routes: [{ from: { mqtt: 'sensors/+/temp' }, to: { actor: 'ingest' } }],
    },
  };
}

export function parseObject(data: unknown): ManifestResult {
  return parseManifest(stringify(data));
}

export function errorsOf(result: ManifestResult): Diagnostic[] {
  if (result.ok) throw new Error('expected the manifest to be rejected, but it was accepted');
  return result.errors;
}

/** `path code` pairs, which is what most assertions care about. */
export function pathsAndCodes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.path} ${d.code}`);
}
