import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseManifestWithModules } from '../../control-plane/index.ts';
import { ManifestDiagnosticCodes as Codes } from '../../protocols/errors/manifest-codes.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/modules/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/modules/', import.meta.url));

const manifest = (module: string, config: string) => `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: mods }
spec:
  actors:
    - id: t
      module: ${module}
      config: ${config}
`;

describe('parseManifestWithModules', () => {
  it('third-party module - imported beside the manifest, its config checked with paths and its defaults filled', async () => {
    const ok = await parseManifestWithModules(manifest('./threshold.ts', '{ to: tally, above: 10 }'), 'app.yaml', EXAMPLES);
    if (!ok.ok) throw new Error(JSON.stringify(ok.errors));
    expect(ok.app.spec.actors[0]?.config).toEqual({ to: 'tally', above: 10, field: 'value' });

    const bad = await parseManifestWithModules(manifest('./threshold.ts', '{ to: tally, above: ten, feld: x }'), 'app.yaml', EXAMPLES);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.map((e) => `${e.path} ${e.code} ${e.line}`)).toEqual([
      `spec.actors[0].config.above ${Codes.WRONG_TYPE} 8`,
      `spec.actors[0].config.feld ${Codes.UNKNOWN_FIELD} 8`,
    ]);
  });

  it('third-party module - one that cannot be imported, or exports no module, is an error at module', async () => {
    for (const [module, words] of [['./missing.ts', 'cannot import module "./missing.ts"'], ['./no-module.ts', 'exports no module']] as const) {
      const result = await parseManifestWithModules(manifest(module, '{}'), 'app.yaml', FIXTURES);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.errors).toEqual([expect.objectContaining({ path: 'spec.actors[0].module', code: Codes.MODULE_NOT_LOADED })]);
      expect(result.errors[0]?.message).toContain(words);
    }
  });

  it('behaviour export - a factory for a worker, process or container actor is refused at its export with the fix; inline takes it; a missing file is an error, except in container mode (a path inside the image)', async () => {
    const app = (mode: string, module = './greeter.ts') => `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: factories }
spec:
  actors:
    - { id: g, mode: ${mode}, behaviour: { module: ${module} }${mode === 'container' ? ', container: { image: "node:20-slim" }' : ''} }
`;
    const here = fileURLToPath(new URL('./fixtures/', import.meta.url));
    expect((await parseManifestWithModules(app('inline'), 'app.yaml', here)).ok).toBe(true);
    for (const mode of ['worker', 'process', 'container']) {
      const result = await parseManifestWithModules(app(mode), 'app.yaml', here);
      expect(result.ok, mode).toBe(false);
      if (result.ok) continue;
      expect(result.errors).toEqual([expect.objectContaining({ path: 'spec.actors[0].behaviour.export', code: Codes.BEHAVIOUR_EXPORT_NOT_FOR_MODE, line: 6 })]);
      expect(result.errors[0]!.message).toContain(`export "default" of ./greeter.ts is a factory function, which only inline mode calls; for mode ${mode} export the defineActor result itself`);
    }
    const missing = await parseManifestWithModules(app('worker', './elsewhere.ts'), 'app.yaml', here);
    expect(missing.ok ? [] : missing.errors).toEqual([expect.objectContaining({ path: 'spec.actors[0].behaviour.module', code: Codes.BEHAVIOUR_FILE_NOT_FOUND, line: 6 })]);
    expect((await parseManifestWithModules(app('container', '/app/elsewhere.js'), 'app.yaml', here)).ok).toBe(true);
  });

  it('examples - the modules example manifest is valid with its modules loaded', async () => {
    const result = await parseManifestWithModules(await readFile(`${EXAMPLES}pipeline.yaml`, 'utf8'), 'pipeline.yaml', EXAMPLES);
    expect(result.ok ? result.warnings : result.errors).toEqual([]);
  });
});
