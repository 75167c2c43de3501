import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedSite } from '../../../deploy/embedded/index.ts';
import type { EmbeddedSite } from '../../../deploy/embedded/index.ts';
import { runBin } from './cli-harness.ts';

const APP_DIR = fileURLToPath(new URL('../../../examples/apply/', import.meta.url));
const MANIFEST = join(APP_DIR, 'hello-app.yaml');

let dir: string;
let site: EmbeddedSite;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-embedded-apply-'));
  site = await startEmbeddedSite({ dataDir: join(dir, '.cairn'), example: 'none', appDir: APP_DIR });
});
afterAll(async () => {
  await site?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('cairn apply on the embedded site', () => {
  it('cairn apply - the embedded site runs what is applied, rolls back, and stops it on delete', async () => {
    const at = ['--server', site.url, '--site', site.site];
    const applied = await runBin(['apply', '-f', MANIFEST, ...at]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/revision \d+/);
    // The actor without a site selector runs here; the one placed on edge1 does not.
    await expect.poll(async () => (await runBin(['ask', 'greeter', '{"type":"greet","name":"Ada"}', ...at])).stdout, { timeout: 20_000 }).toContain('hello, Ada');
    expect(site.system.ps().actors.map((a) => a.id)).not.toContain('edge-greeter');

    const deleted = await runBin(['delete', 'hello', ...at]);
    expect(deleted.code).toBe(0);
    await expect.poll(() => site.system.ps().actors.map((a) => a.id), { timeout: 20_000 }).not.toContain('greeter');

    const rolledBack = await runBin(['rollback', 'hello', ...at]);
    expect(rolledBack.code).toBe(0);
    await expect.poll(() => site.system.ps().actors.map((a) => a.id), { timeout: 20_000 }).toContain('greeter');
  }, 90_000);
});
