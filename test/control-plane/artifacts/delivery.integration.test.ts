// Application delivery on one site: `apply` from a folder no node has turns the behaviour into an
// artifact in cairn_artifacts; the site fetches it into its cache, checks its digest and runs it.
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir, open } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { CairnClient } from '../../../client/index.ts';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import { ArtifactStore, ManifestError, applyManifest, startAppController } from '../../../control-plane/index.ts';
import type { AppController } from '../../../control-plane/index.ts';
import { Buckets, ManifestDiagnosticCodes, ObjectStoreLayout, Streams, Subjects } from '../../../protocols/index.ts';
import { runCli } from '../../../deploy/cli/index.ts';
import { captureIo } from '../../deploy/cli/cli-harness.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TestServer } from '../../helpers/nats.ts';

const site = 'deliver';

/** A behaviour as a user writes it outside this repository: Cairn by its package name, a dependency of its own. */
function greeterSource(word: string): string {
  return [
    "import { defineActor } from 'cairn';",
    "import { shout } from 'tiny-shout';",
    'export default defineActor({',
    "  name: 'greeter',",
    `  receive: (msg, ctx) => (msg.type === 'greet' ? shout(\`${word}, \${ctx.config.who ?? 'world'}\`) : undefined),`,
    '});',
    '',
  ].join('\n');
}

const MANIFEST = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: delivered }
spec:
  actors:
    - id: greeter
      behaviour: { module: ./greeter.ts }
      config: { who: Ada }
    - id: worker-greeter
      mode: worker
      behaviour: { module: ./greeter.ts }
      config: { who: Bo }
`;

let server: TestServer;
let system: ActorSystem;
let controller: AppController;
let client: CairnClient;
let appDir: string;
let cacheDir: string;

async function startController(): Promise<AppController> {
  return startAppController({ system, artifactDir: cacheDir });
}

beforeAll(async () => {
  appDir = await mkdtemp(join(tmpdir(), 'cairn-deliver-app-'));
  cacheDir = await mkdtemp(join(tmpdir(), 'cairn-deliver-cache-'));
  await mkdir(join(appDir, 'node_modules', 'tiny-shout'), { recursive: true });
  await writeFile(join(appDir, 'node_modules', 'tiny-shout', 'package.json'), JSON.stringify({ name: 'tiny-shout', version: '1.0.0', main: 'index.js' }));
  await writeFile(join(appDir, 'node_modules', 'tiny-shout', 'index.js'), "exports.shout = (s) => s.toUpperCase() + '!';\n");
  await writeFile(join(appDir, 'greeter.ts'), greeterSource('hello'));
  await writeFile(join(appDir, 'app.yaml'), MANIFEST);
  server = await startTestServer();
  system = await createActorSystem({ servers: server.url, site, node: 'n1' });
  controller = await startController();
  client = await CairnClient.connect({ servers: server.url, site });
}, 30_000);
afterAll(async () => {
  await client?.close();
  await controller?.stop();
  await system?.shutdown();
  await server?.cleanup();
  for (const d of [appDir, cacheDir]) if (d) await rm(d, { recursive: true, force: true });
});

const greet = (actor: string): Promise<unknown> => system.ref(actor).ask({ type: 'greet' }, { timeout: 10_000 });

describe('application delivery', () => {
  it('delivery - apply from a folder no node has: the behaviour and its dependency run from the artifact, in inline and worker mode', async () => {
    const result = await client.apply(await readFile(join(appDir, 'app.yaml'), 'utf8'), { source: 'app.yaml', appDir });
    expect(result.changed).toBe(true);
    expect(result.artifacts).toEqual([expect.objectContaining({ source: './greeter.ts', actors: ['greeter', 'worker-greeter'], uploaded: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    await controller.whenIdle();
    await expect.poll(() => greet('greeter').catch(() => undefined), { timeout: 15_000 }).toBe('HELLO, ADA!');
    expect(await greet('worker-greeter')).toBe('HELLO, BO!');
    // The revision names the digest, never the applying machine's path.
    const stored = (await client.getApp('delivered')).app.spec.actors.map((a) => a.behaviour?.module);
    expect(stored).toEqual([`artifact:sha256:${result.artifacts![0]!.sha256}`, `artifact:sha256:${result.artifacts![0]!.sha256}`]);
    expect(JSON.stringify(await client.getApp('delivered'))).not.toContain(appDir);
  });

  it('delivery - applying an unchanged app uploads nothing and writes no revision', async () => {
    const jsm = await jetstreamManager(client.nc);
    const before = (await jsm.streams.info(ObjectStoreLayout.stream(Buckets.artifacts))).state.messages;
    const again = await client.apply(await readFile(join(appDir, 'app.yaml'), 'utf8'), { source: 'app.yaml', appDir });
    expect(again.changed).toBe(false);
    expect(again.artifacts?.map((a) => a.uploaded)).toEqual([false]);
    expect((await jsm.streams.info(ObjectStoreLayout.stream(Buckets.artifacts))).state.messages).toBe(before);
  });

  it('delivery - a changed behaviour is a new artifact and a new revision; rollback runs the previous code', async () => {
    const first = (await client.getApp('delivered')).revision;
    await writeFile(join(appDir, 'greeter.ts'), greeterSource('bonjour'));
    const changed = await client.apply(await readFile(join(appDir, 'app.yaml'), 'utf8'), { source: 'app.yaml', appDir });
    expect(changed.changed).toBe(true);
    expect(changed.artifacts?.map((a) => a.uploaded)).toEqual([true]);
    await expect.poll(() => greet('greeter').catch(() => undefined), { timeout: 15_000 }).toBe('BONJOUR, ADA!');
    expect(await greet('worker-greeter')).toBe('BONJOUR, BO!');
    const listed = await client.listArtifacts();
    expect(listed).toHaveLength(2);
    expect(listed.map((a) => a.usedBy)).toEqual([[`delivered@${first}`], [`delivered@${changed.revision}`]]);
    await client.rollbackApp('delivered', first);
    await expect.poll(() => greet('greeter').catch(() => undefined), { timeout: 15_000 }).toBe('HELLO, ADA!');
  });

  it('delivery - a corrupted cache file is detected, refused and fetched again', async () => {
    const raw = (await readdir(cacheDir)).filter((f) => f.endsWith('.js'));
    expect(raw.length).toBeGreaterThan(0);
    for (const f of raw) await writeFile(join(cacheDir, f), 'export default "tampered";\n');
    // A new controller (a node restart) starts the app from its cache.
    await controller.stop();
    controller = await startController();
    await expect.poll(() => greet('greeter').catch(() => undefined), { timeout: 15_000 }).toBe('HELLO, ADA!');
    const current = (await client.getApp('delivered')).app.spec.actors[0]!.behaviour!.module.replace('artifact:sha256:', '');
    expect(await readFile(join(cacheDir, `sha256-${current}.js`), 'utf8')).not.toContain('tampered');
  });

  it('delivery - a behaviour file that does not exist or does not build is an apply error at its line, naming the actor and the resolved path', async () => {
    const broken = MANIFEST.replace('name: delivered', 'name: broken').replace('{ module: ./greeter.ts }\n      config: { who: Bo }', '{ module: ./nowhere.ts }\n      config: { who: Bo }');
    const err = (await client.apply(broken, { source: 'broken.yaml', appDir }).catch((e: unknown) => e)) as ManifestError;
    expect(err).toBeInstanceOf(ManifestError);
    expect(err.diagnostics).toEqual([expect.objectContaining({ code: ManifestDiagnosticCodes.BEHAVIOUR_FILE_NOT_FOUND, path: 'spec.actors[1].behaviour.module', line: 11 })]);
    expect(err.message).toContain(`actor "worker-greeter": behaviour.module "./nowhere.ts" resolves to ${join(appDir, 'nowhere.ts')}, which does not exist`);
    await writeFile(join(appDir, 'bad.ts'), 'export default defineActor({ name: "x", receive: ( => 1 });\n');
    const bad = MANIFEST.replace('name: delivered', 'name: broken').replace('{ module: ./greeter.ts }\n      config: { who: Ada }', '{ module: ./bad.ts }\n      config: { who: Ada }');
    const built = (await client.apply(bad, { source: 'bad.yaml', appDir }).catch((e: unknown) => e)) as ManifestError;
    expect(built.diagnostics).toEqual([expect.objectContaining({ code: ManifestDiagnosticCodes.BEHAVIOUR_BUILD_FAILED, path: 'spec.actors[0].behaviour.module', line: 7 })]);
    expect(built.message).toMatch(/bad\.ts:1:\d+/);
    // Nothing was stored.
    expect((await client.listApps()).map((a) => a.name)).toEqual(['delivered']);
  });

  it('delivery - artifacts no kept revision uses are collected once past their grace period; those in use stay', async () => {
    await writeFile(join(appDir, 'once.ts'), greeterSource('once'));
    const once = await client.apply(MANIFEST.replace('name: delivered', 'name: once').replaceAll('./greeter.ts', './once.ts'), { source: 'once.yaml', appDir });
    const digest = once.artifacts![0]!.sha256;
    // Its revisions leave the history (as old ones do when newer ones are written).
    await (await new Kvm(jetstream(client.nc)).open(Buckets.apps)).purge('once');
    expect(await client.collectArtifactGarbage()).toEqual([]); // within the grace period
    const collected = await client.collectArtifactGarbage({ graceMs: 0 });
    expect(collected.map((a) => a.sha256)).toEqual([digest]);
    const left = await client.listArtifacts();
    expect(left.map((a) => a.sha256)).not.toContain(digest);
    expect(left.every((a) => a.usedBy.length > 0)).toBe(true);
    // A deleted app's revisions can be rolled back: its artifacts stay.
    await client.deleteApp('delivered');
    expect(await client.collectArtifactGarbage({ graceMs: 0 })).toEqual([]);
    await client.rollbackApp('delivered');
    await expect.poll(() => greet('greeter').catch(() => undefined), { timeout: 15_000 }).not.toBeUndefined();
  });

  it('delivery - a site whose artifact has not arrived reports it fetching (not failed) and starts the app once it is there', async () => {
    await writeFile(join(appDir, 'late.ts'), greeterSource('late'));
    const late = MANIFEST.replace('name: delivered', 'name: late').replaceAll('./greeter.ts', './late.ts').replace('id: greeter', 'id: late-greeter').replace('id: worker-greeter', 'id: late-worker');
    await controller.stop();
    const applied = await client.apply(late, { source: 'late.yaml', appDir });
    // The site has not seen it; now its code is gone from the store (as if still on its way).
    const store = await ArtifactStore.open(jetstream(client.nc));
    await store.delete({ kind: 'behaviour', sha256: applied.artifacts![0]!.sha256 });
    controller = await startController();
    await expect
      .poll(async () => (await client.appStatus('late')).find((s) => s.site === site)?.status, { timeout: 15_000 })
      .toMatchObject({ state: 'fetching', revision: applied.revision, error: { code: 'CAIRN_ARTIFACT_UNAVAILABLE' } });
    // Stored again (an apply of the same manifest sends what the cloud lacks): the site starts it.
    const again = await client.apply(late, { source: 'late.yaml', appDir });
    expect(again.changed).toBe(false);
    expect(again.artifacts?.map((a) => a.uploaded)).toEqual([true]);
    await expect.poll(() => greet('late-greeter').catch(() => undefined), { timeout: 20_000 }).toBe('LATE, ADA!');
    await expect.poll(async () => (await client.appStatus('late')).find((s) => s.site === site)?.status?.state, { timeout: 10_000 }).toBe('running');
  });

  it('delivery - a 50 MB file with 1 MB changed reaches the site by sending about 1 MB; the actor reads it at ctx.config.files', async () => {
    const model = join(appDir, 'model.bin');
    await writeFile(model, randomBytes(50 * 1024 * 1024));
    await writeFile(
      join(appDir, 'reader.ts'),
      [
        "import { createHash } from 'node:crypto';",
        "import { readFileSync } from 'node:fs';",
        "import { defineActor } from 'cairn';",
        "export default defineActor({ name: 'reader', receive: (msg, ctx) => (msg.type === 'digest' ? createHash('sha256').update(readFileSync(ctx.config.files.model)).digest('hex') : undefined) });",
        '',
      ].join('\n'),
    );
    const manifest = 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: modelled }\nspec:\n  actors:\n    - id: reader\n      behaviour: { module: ./reader.ts }\n      files: { model: ./model.bin }\n';
    const digestOf = async (): Promise<string> => createHash('sha256').update(await readFile(model)).digest('hex');
    const ask = (): Promise<unknown> => system.ref('reader').ask({ type: 'digest' }, { timeout: 20_000 }).catch(() => undefined);
    const jsm = await jetstreamManager(client.nc);
    const chunkBytes = async (): Promise<number> => (await jsm.streams.info(Streams.chunks)).state.bytes;

    const first = await client.apply(manifest, { source: 'modelled.yaml', appDir });
    const f1 = first.artifacts!.find((a) => a.kind === 'file')!;
    expect(f1).toMatchObject({ source: './model.bin', actors: ['reader'], uploaded: true, size: 50 * 1024 * 1024 });
    expect(f1.sentBytes).toBeGreaterThan(49 * 1024 * 1024);
    await expect.poll(ask, { timeout: 30_000 }).toBe(await digestOf());

    // 1 MiB in the middle changes.
    const handle = await open(model, 'r+');
    await handle.write(randomBytes(1024 * 1024), 0, 1024 * 1024, 25 * 1024 * 1024);
    await handle.close();
    const before = await chunkBytes();
    const second = await client.apply(manifest, { source: 'modelled.yaml', appDir });
    const f2 = second.artifacts!.find((a) => a.kind === 'file')!;
    expect(f2.uploaded).toBe(true);
    expect(f2.sentBytes).toBeLessThan(1.6 * 1024 * 1024);
    const grew = (await chunkBytes()) - before;
    expect(grew).toBeGreaterThan(1024 * 1024);
    expect(grew).toBeLessThan(1.7 * 1024 * 1024);
    await expect.poll(ask, { timeout: 30_000 }).toBe(await digestOf());
  }, 120_000);

  it('delivery - chunks only unused images and files had are collected with them; chunks in use stay', async () => {
    await writeFile(join(appDir, 'labels.bin'), randomBytes(300 * 1024));
    const kept = 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: kept }\nspec:\n  actors:\n    - id: kept-reader\n      behaviour: { module: ./greeter.ts }\n      files: { labels: ./labels.bin }\n';
    const keptFile = (await client.apply(kept, { source: 'kept.yaml', appDir })).artifacts!.find((a) => a.kind === 'file')!;
    const jsm = await jetstreamManager(client.nc);
    const chunkBytes = async (): Promise<number> => (await jsm.streams.info(Streams.chunks)).state.bytes;
    expect(await chunkBytes()).toBeGreaterThan(50 * 1024 * 1024);
    // The 50 MB model's revisions leave the history.
    await (await new Kvm(jetstream(client.nc)).open(Buckets.apps)).purge('modelled');
    const collected = await client.collectArtifactGarbage({ graceMs: 0 });
    expect(collected.filter((a) => a.kind === 'file').map((a) => a.source)).toEqual(['./model.bin', './model.bin']);
    expect(await chunkBytes()).toBeLessThan(1024 * 1024);
    // The file still in use reads back whole.
    const store = await ArtifactStore.open(jetstream(client.nc));
    const data = await store.getFile(keptFile.sha256, 'labels');
    let read = 0;
    for await (const piece of data as unknown as AsyncIterable<Uint8Array>) read += piece.length;
    expect(read).toBe(300 * 1024);
  });

  it('delivery - two apps whose behaviours share a dependency store it about once', async () => {
    await mkdir(join(appDir, 'node_modules', 'big-dep'), { recursive: true });
    await writeFile(join(appDir, 'node_modules', 'big-dep', 'package.json'), JSON.stringify({ name: 'big-dep', version: '1.0.0', main: 'index.js' }));
    // Pseudo-random but the same every run: where content-defined chunks fall around the apps' own
    // code depends on the bytes, and random ones made this check pass or fail by chance.
    const table = Buffer.concat(Array.from({ length: 7_680 }, (_, i) => createHash('sha256').update(`big-dep ${i}`).digest()));
    await writeFile(join(appDir, 'node_modules', 'big-dep', 'index.js'), `exports.TABLE = ${JSON.stringify(table.toString('base64'))};\n`);
    const behaviour = (name: string): string => `import { defineActor } from 'cairn';\nimport { TABLE } from 'big-dep';\nexport default defineActor({ name: '${name}', receive: () => TABLE.length + ${name.length} });\n`;
    const app = (name: string): string => `apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: ${name} }\nspec:\n  actors:\n    - id: ${name}-a\n      behaviour: { module: ./${name}.ts }\n`;
    await writeFile(join(appDir, 'dep-one.ts'), behaviour('dep-one'));
    await writeFile(join(appDir, 'dep-two.ts'), behaviour('dep-two'));
    const one = (await client.apply(app('dep-one'), { source: 'one.yaml', appDir })).artifacts![0]!;
    expect(one.size).toBeGreaterThan(300 * 1024);
    expect(one.sentBytes).toBe(one.size);
    const two = (await client.apply(app('dep-two'), { source: 'two.yaml', appDir })).artifacts![0]!;
    expect(two.sha256).not.toBe(one.sha256);
    expect(two.uploaded).toBe(true);
    // Its own code and the chunks around it; the dependency's chunks were there.
    expect(two.sentBytes).toBeLessThan(0.5 * two.size);
    await expect.poll(() => system.ref('dep-two-a').ask({ type: 'x' }, { timeout: 10_000 }).catch(() => undefined), { timeout: 20_000 }).toBeGreaterThan(300 * 1024);
  });

  it('delivery - a bundle the previous version stored whole (no chunk index) is still read, checked against its digest', async () => {
    const bytes = new TextEncoder().encode('export default 1;\n');
    const hex = createHash('sha256').update(bytes).digest('hex');
    const os = await new Objm(jetstream(client.nc)).open(Buckets.artifacts);
    await os.putBlob({ name: `sha256-${hex}`, description: './old.ts' }, bytes);
    const store = await ArtifactStore.open(jetstream(client.nc));
    expect(Buffer.from((await store.get(hex))!).equals(Buffer.from(bytes))).toBe(true);
    await os.putBlob({ name: `sha256-${'0'.repeat(64)}`, description: './wrong.ts' }, bytes);
    await expect(store.get('0'.repeat(64))).rejects.toMatchObject({ code: 'CAIRN_ARTIFACT_CORRUPT' });
  });

  it('delivery - files of a revision stored without apply are paths on the node: used when there, reported CAIRN_APP_FILE_NOT_FOUND when not', async () => {
    // model.bin was written by the 50 MB test. AppStore stores paths as written, and the node
    // imports such a behaviour itself (packages left to it: Cairn by its source path here).
    const kernel = fileURLToPath(new URL('../../../kernel/index.ts', import.meta.url));
    await writeFile(
      join(appDir, 'local-reader.ts'),
      `import { createHash } from 'node:crypto';\nimport { readFileSync } from 'node:fs';\nimport { defineActor } from ${JSON.stringify(kernel)};\nexport default defineActor({ name: 'local-reader', receive: (msg: { type: string }, ctx) => (msg.type === 'digest' ? createHash('sha256').update(readFileSync((ctx.config as { files: { model: string } }).files.model)).digest('hex') : undefined) });\n`,
    );
    const stored = (name: string, model: string): string => `apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: ${name} }\nspec:\n  actors:\n    - id: ${name}-reader\n      behaviour: { module: ${join(appDir, 'local-reader.ts')} }\n      files: { model: ${model} }\n`;
    await applyManifest(jetstream(client.nc), stored('local-files', join(appDir, 'model.bin')), 'local.yaml');
    const want = createHash('sha256').update(await readFile(join(appDir, 'model.bin'))).digest('hex');
    await expect.poll(() => system.ref('local-files-reader').ask({ type: 'digest' }, { timeout: 20_000 }).catch(() => undefined), { timeout: 30_000 }).toBe(want);
    await applyManifest(jetstream(client.nc), stored('no-files', join(appDir, 'absent.bin')), 'none.yaml');
    await expect
      .poll(async () => (await client.appStatus('no-files')).find((x) => x.site === site)?.status, { timeout: 15_000 })
      .toMatchObject({ state: 'failed', error: { code: 'CAIRN_APP_FILE_NOT_FOUND', message: expect.stringContaining(join(appDir, 'absent.bin')) } });
  });

  it('delivery - a listed file that does not exist is an apply error at its line, naming the actor, the file and the resolved path', async () => {
    const manifest = 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: nofile }\nspec:\n  actors:\n    - id: reader\n      behaviour: { module: ./greeter.ts }\n      files: { model: ./missing.onnx, labels: ./missing.txt }\n';
    const err = (await client.apply(manifest, { source: 'nofile.yaml', appDir }).catch((e: unknown) => e)) as ManifestError;
    expect(err.diagnostics.map((d) => [d.code, d.path, d.line])).toEqual([
      [ManifestDiagnosticCodes.FILE_NOT_FOUND, 'spec.actors[0].files.model', 8],
      [ManifestDiagnosticCodes.FILE_NOT_FOUND, 'spec.actors[0].files.labels', 8],
    ]);
    expect(err.message).toContain(`files.model "./missing.onnx" resolves to ${join(appDir, 'missing.onnx')}, which does not exist`);
  });

  it('delivery - a site that holds part of a file\'s chunks reports the app fetching with how many bytes it holds; cairn get shows them', async () => {
    await writeFile(join(appDir, 'part.bin'), randomBytes(1024 * 1024));
    await writeFile(join(appDir, 'part.ts'), "import { defineActor } from 'cairn';\nexport default defineActor({ name: 'part', receive: () => 'here' });\n");
    const manifest = 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: partial }\nspec:\n  actors:\n    - id: part-reader\n      behaviour: { module: ./part.ts }\n      files: { model: ./part.bin }\n';
    await controller.stop();
    const applied = await client.apply(manifest, { source: 'partial.yaml', appDir });
    // The last half of the file's chunks has not reached the site's store yet (as an edge's mirror catching up).
    const file = applied.artifacts!.find((a) => a.kind === 'file')!;
    const objects = await new Objm(jetstream(client.nc)).open(Buckets.artifacts);
    const index = JSON.parse(new TextDecoder().decode((await objects.getBlob(`file-sha256-${file.sha256}`))!)) as { chunks: [string, number][] };
    const missing = index.chunks.slice(Math.floor(index.chunks.length / 2));
    const jsm = await jetstreamManager(client.nc);
    for (const [hex] of missing) await jsm.streams.purge(Streams.chunks, { filter: Subjects.chunk(hex) });
    const missingBytes = missing.reduce((n, [, size]) => n + size, 0);
    controller = await startController();
    await expect.poll(async () => (await client.appStatus('partial')).find((st) => st.site === site)?.status?.state, { timeout: 15_000 }).toBe('fetching');
    const { progress } = (await client.appStatus('partial')).find((st) => st.site === site)!.status!;
    // The behaviour is all here; of the file, the first half.
    expect(progress!.totalBytes).toBeGreaterThanOrEqual(1024 * 1024);
    expect(progress!.totalBytes - progress!.bytes).toBe(missingBytes);
    const io = captureIo();
    expect(await runCli(['get', 'partial', '--server', server.url, '--site', site], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(new RegExp(`${site}\\s+fetching \\(\\d+\\.\\d [KM]iB of 1\\.0 MiB\\)`));
    // Its index stored again by an apply, which sends the chunks the store lacks: the site starts it.
    await (await ArtifactStore.open(jetstream(client.nc))).delete({ kind: 'file', sha256: file.sha256 });
    await client.apply(manifest, { source: 'partial.yaml', appDir });
    await expect.poll(() => system.ref('part-reader').ask({ type: 'x' }, { timeout: 5_000 }).catch(() => undefined), { timeout: 20_000 }).toBe('here');
    const after = (await client.appStatus('partial')).find((st) => st.site === site)?.status;
    expect(after?.state).toBe('running');
    expect(after?.progress).toBeUndefined();
    await client.deleteApp('partial');
  });
});
