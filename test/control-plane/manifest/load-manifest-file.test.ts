import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../../../protocols/errors/cairn-error.ts';
import { ManifestCodes } from '../../../protocols/errors/manifest-codes.ts';
import { loadManifestFile, ManifestError } from '../../../control-plane/manifest/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cairn-manifest-'));

async function rejection(promise: Promise<unknown>): Promise<ManifestError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ManifestError) return err;
    throw err;
  }
  throw new Error('expected a ManifestError');
}

describe('loadManifestFile', () => {
  it('loadManifestFile - returns the application, its warnings and the absolute path', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: a }\nspec:\n  actors:\n    - { id: a, behaviour: { module: m }, replicas: 2, placement: { spread: one-per-site } }\n');
    const loaded = await loadManifestFile(file);
    expect(loaded.app.metadata.name).toBe('a');
    expect(loaded.path).toBe(file);
    expect(loaded.warnings).toHaveLength(1);
  });

  it('loadManifestFile - throws CAIRN_MANIFEST_NOT_FOUND naming the missing path', async () => {
    const missing = join(dir, 'nope.yaml');
    const err = await rejection(loadManifestFile(missing));
    expect(err).toBeInstanceOf(CairnError);
    expect(err.name).toBe('ManifestError');
    expect(err.code).toBe(ManifestCodes.NOT_FOUND);
    expect(err.message).toContain(missing);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('loadManifestFile - throws CAIRN_MANIFEST_INVALID carrying every diagnostic with positions', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: a }\nspec:\n  actors:\n    - { id: a, behaviour: { module: m }, restart: sometimes }\n  routes:\n    - { from: { subject: x }, to: { actor: b } }\n');
    const err = await rejection(loadManifestFile(file));
    expect(err.code).toBe(ManifestCodes.INVALID);
    expect(err.errors.map((d) => d.path)).toEqual(['spec.actors[0].restart', 'spec.routes[0].to.actor']);
    expect(err.message).toContain(`manifest ${file} is invalid (2 errors):`);
    expect(err.message).toContain(`[error] ${file}:6:51 spec.actors[0].restart: "sometimes" is not one of permanent, transient, temporary`);
  });
});
