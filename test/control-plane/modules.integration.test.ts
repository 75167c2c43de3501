import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedSite } from '../../deploy/embedded/index.ts';
import type { EmbeddedSite } from '../../deploy/embedded/index.ts';
import { runBin } from '../deploy/cli/cli-harness.ts';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { AppStore } from '../../control-plane/index.ts';
import { CairnClient } from '../../client/index.ts';

const APP_DIR = fileURLToPath(new URL('../../examples/modules/', import.meta.url));
const MANIFEST = join(APP_DIR, 'pipeline.yaml');

let dir: string;
let site: EmbeddedSite;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-modules-'));
  // The site's folder holds none of the example's files: apply delivers the module and the behaviour.
  site = await startEmbeddedSite({ dataDir: join(dir, '.cairn'), example: 'none', appDir: dir });
});
afterAll(async () => {
  await site?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('modules through cairn apply', () => {
  it('cairn apply - a built-in module, a third-party module in a worker and a behaviour run as one pipeline', async () => {
    const at = ['--server', site.url, '--site', site.site];
    const applied = await runBin(['apply', '-f', MANIFEST, ...at]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    // cairn/timer sends 5 readings of 42; acme/threshold (above 10, its field defaulted) forwards each.
    const ask = async (actor: string, msg: string) => JSON.parse((await runBin(['ask', actor, msg, ...at])).stdout || 'null') as Record<string, unknown> | null;
    await expect.poll(async () => (await ask('tally', '{"type":"count"}'))?.['alerts'], { timeout: 30_000 }).toBe(5);
    expect((await ask('tally', '{"type":"count"}'))?.['last']).toEqual({ type: 'alert', value: 42, tick: 5, above: 10 });
    expect(await ask('clock', '{"type":"status"}')).toEqual({ sent: 5, count: 5 });
    expect(await ask('threshold', '{"type":"passed"}')).toBe(5);
    expect(site.system.ps().actors.find((a) => a.id === 'threshold')?.mode).toBe('worker');
    // The revision names the module's code by digest, like a behaviour's; the built-in one by name.
    const client = await CairnClient.connect({ servers: site.url, site: site.site });
    try {
      const modules = (await client.getApp('pipeline')).app.spec.actors.map((a) => a.module ?? a.behaviour?.module);
      expect(modules).toEqual(['cairn/timer', expect.stringMatching(/^artifact:sha256:[0-9a-f]{64}$/), expect.stringMatching(/^artifact:sha256:[0-9a-f]{64}$/)]);
    } finally {
      await client.close();
    }
  }, 90_000);

  it('cairn apply - a third-party module refusing its config is rejected with the path and line, nothing stored', async () => {
    const bad = join(APP_DIR, '.bad-threshold.yaml');
    const text = (await readFile(MANIFEST, 'utf8')).replace('name: pipeline', 'name: bad-pipeline').replace('above: 10', 'above: ten');
    await writeFile(bad, text);
    try {
      const at = ['--server', site.url, '--site', site.site];
      const refused = await runBin(['apply', '-f', bad, ...at]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/\.bad-threshold\.yaml:21:\d+ spec\.actors\[1\]\.config\.above: expected a number, got the string "ten"/);
      expect(refused.stderr).toContain('nothing applied');
      const got = await runBin(['get', 'bad-pipeline', ...at]);
      expect(got.code).not.toBe(0);
    } finally {
      await rm(bad, { force: true });
    }
  }, 60_000);

  it('site - a module config stored without the apply-time check is refused where it is loaded, and cairn get shows why', async () => {
    // AppStore.apply checks built-in modules only; the site imports ./threshold.ts and checks it.
    const text = (await readFile(MANIFEST, 'utf8')).replace('name: pipeline', 'name: unchecked').replace('above: 10', 'above: ten').replace(/id: (clock|threshold|tally)/g, 'id: u-$1').replace('to: threshold', 'to: u-threshold')
      // Stored as is, not delivered: the paths must name the files on the site's machine.
      .replaceAll('./threshold.ts', join(APP_DIR, 'threshold.ts'))
      .replaceAll('./tally.ts', join(APP_DIR, 'tally.ts'));
    const nc = await connect({ servers: site.url });
    try {
      const store = await AppStore.open(jetstream(nc));
      await store.apply(text, 'unchecked.yaml');
    } finally {
      await nc.close();
    }
    const at = ['--server', site.url, '--site', site.site];
    await expect.poll(async () => (await runBin(['get', 'unchecked', ...at])).stdout, { timeout: 30_000 }).toContain('CAIRN_APP_MODULE_INVALID');
    const shown = (await runBin(['get', 'unchecked', ...at])).stdout;
    expect(shown).toContain('module acme/threshold refuses it');
    expect(shown).toContain('config.above');
    expect(site.system.ps().actors.map((a) => a.id)).not.toContain('u-clock');
  }, 60_000);
});
