// Folders travel with `apply`: a program's folder (a Python actor of two files) and a container's
// build context reach a site whose app dir holds none of them; the site runs the program from its
// cached copy (a copy that changed is unpacked again) and builds the image from the delivered
// context, again when the context changes.
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nuid } from '@nats-io/transport-node';
import { CairnClient } from '../../../client/index.ts';
import { containerRuntime, createActorSystem, defaultRuntimes } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import { startAppController } from '../../../control-plane/index.ts';
import type { AppController } from '../../../control-plane/index.ts';
import { hostRuntimeContainerSpec } from '../../../kernel/runtimes/index.ts';
import { bundleJsGuest } from '../../../kernel/runtimes/guest-bundle.ts';
import { BUILD_KEY_LABEL } from '../../../kernel/runtimes/container-image.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TestServer } from '../../helpers/nats.ts';
import { testDocker } from '../../helpers/docker.ts';

const site = 'folders';
const COUNTER = fileURLToPath(new URL('../../../examples/python-actor/counter.py', import.meta.url));
const GREETER = fileURLToPath(new URL('../../../examples/apply/greeter.ts', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const unique = nuid.next().toLowerCase();

let docker: Dockerode;
let server: TestServer;
let system: ActorSystem;
let controller: AppController | undefined;
let client: CairnClient;
let appFolder: string;
let emptyAppDir: string;
let cacheDir: string;
const builtTags: string[] = [];

beforeAll(async () => {
  docker = await testDocker();
  appFolder = await mkdtemp(join(tmpdir(), 'cairn-folder-app-'));
  emptyAppDir = await mkdtemp(join(tmpdir(), 'cairn-empty-appdir-'));
  cacheDir = await mkdtemp(join(tmpdir(), 'cairn-folder-cache-'));
  // A Python actor of two files: main.py imports counter.py from its own folder.
  await mkdir(join(appFolder, 'py'));
  await copyFile(COUNTER, join(appFolder, 'py', 'counter.py'));
  await writeFile(join(appFolder, 'py', 'main.py'), 'import counter\n\ncounter.main()\n');
  server = await startTestServer();
  system = await createActorSystem({ runtimes: [...defaultRuntimes(), containerRuntime()], servers: server.url, site, node: 'n1' });
  client = await CairnClient.connect({ servers: server.url, site });
  // The site knows nothing of the applying machine's folders.
  controller = await startAppController({ system, appDir: emptyAppDir, artifactDir: cacheDir });
}, 60_000);
afterAll(async () => {
  await client?.close();
  await controller?.stop();
  await system?.shutdown();
  await server?.cleanup();
  for (const tag of builtTags) await docker?.getImage(tag).remove({ force: true }).catch(() => undefined);
  for (const dir of [appFolder, emptyAppDir, cacheDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

const pythonApp = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: py-folder }
spec:
  actors:
    - id: py-proc
      mode: process
      program: { command: [/usr/bin/python3, main.py], dir: ./py }
      config: { where: process }
    - id: py-box
      mode: container
      program: { command: [/usr/bin/python3, main.py], dir: ./py }
      config: { where: container }
`;

const ask = (actor: string, msg: Record<string, unknown>): Promise<unknown> => system.ref(actor).ask(msg as never, { timeout: 20_000 }).catch(() => undefined);

describe('folders delivered with apply', () => {
  it('folders - a Python program of two files runs as a process and in a container on a site whose app dir is empty', async () => {
    const applied = await client.apply(pythonApp, { source: 'py.yaml', appDir: appFolder });
    expect(applied.artifacts).toEqual([expect.objectContaining({ kind: 'file', source: './py', actors: ['py-proc', 'py-box'], uploaded: true })]);
    const stored = (await client.getApp('py-folder')).app.spec.actors.map((a) => a.program?.dir);
    expect(stored).toEqual([expect.stringMatching(/^artifact:sha256:[0-9a-f]{64}$/), stored[0]]);
    for (const [actor, where] of [['py-proc', 'process'], ['py-box', 'container']] as const) {
      await expect.poll(() => ask(actor, { type: 'config' }), { timeout: 60_000, interval: 500 }).toMatchObject({ where });
      await system.ref(actor).tell({ type: 'inc', by: 3 } as never);
      await expect.poll(() => ask(actor, { type: 'get' }), { timeout: 20_000, interval: 200 }).toBe(3);
    }
    // Applied again, unchanged (the files touched): nothing travels, nothing restarts.
    await writeFile(join(appFolder, 'py', 'main.py'), 'import counter\n\ncounter.main()\n');
    const again = await client.apply(pythonApp, { source: 'py.yaml', appDir: appFolder });
    expect(again.changed).toBe(false);
    expect(again.artifacts?.map((a) => a.uploaded)).toEqual([false]);
  }, 120_000);

  it('folders - a cached copy whose file changed is unpacked again when the site starts the program', async () => {
    const sha = (await client.getApp('py-folder')).app.spec.actors[0]!.program!.dir!.replace('artifact:sha256:', '');
    const cached = join(cacheDir, `sha256-${sha}.d`, 'main.py');
    expect(await readFile(cached, 'utf8')).toBe('import counter\n\ncounter.main()\n');
    await writeFile(cached, 'raise SystemExit(9)\n');
    await controller!.stop();
    controller = await startAppController({ system, appDir: emptyAppDir, artifactDir: cacheDir });
    await expect.poll(() => ask('py-proc', { type: 'config' }), { timeout: 60_000, interval: 500 }).toMatchObject({ where: 'process' });
    expect(await readFile(cached, 'utf8')).toBe('import counter\n\ncounter.main()\n');
  }, 120_000);

  it('folders - a missing folder and one holding a link to a folder are refused at apply, each at its field', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'cairn-folder-bad-'));
    try {
      await mkdir(join(bad, 'linked'));
      await mkdir(join(bad, 'elsewhere'));
      await symlink(join(bad, 'elsewhere'), join(bad, 'linked', 'sub'));
      const manifest = pythonApp.replace('name: py-folder', 'name: py-bad').replace('dir: ./py }\n      config: { where: process }', 'dir: ./gone }\n      config: { where: process }').replace('dir: ./py }\n      config: { where: container }', 'dir: ./linked }\n      config: { where: container }');
      const err = (await client.apply(manifest, { source: 'bad.yaml', appDir: bad }).then(
        () => undefined,
        (e: unknown) => e,
      )) as { code: string; diagnostics: { path: string; code: string; message: string }[] };
      expect(err).toMatchObject({ code: 'CAIRN_MANIFEST_INVALID' });
      expect(err.diagnostics.map((d) => `${d.path} ${d.code}`)).toEqual(['spec.actors[0].program.dir CAIRN_MANIFEST_FILE_NOT_FOUND', 'spec.actors[1].program.dir CAIRN_MANIFEST_FOLDER_NOT_DELIVERABLE']);
      expect(err.diagnostics[0]!.message).toContain(`${join(bad, 'gone')}, which does not exist`);
      expect(err.diagnostics[1]!.message).toContain('sub is a symbolic link to a directory');
      await expect(client.getApp('py-bad')).rejects.toMatchObject({ code: 'CAIRN_APP_NOT_FOUND' });
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  }, 60_000);

  it('folders - a build context is delivered without what .dockerignore leaves out; the site builds from it, and again when it changes', async () => {
    const tag = `cairn-built-here-${unique}:1`;
    builtTags.push(tag);
    const ctx = join(appFolder, 'img');
    await mkdir(ctx);
    await writeFile(join(ctx, 'Dockerfile'), `FROM cairn-base:local\nLABEL cairn.test=${unique}\nCOPY marker.txt /marker.txt\nENTRYPOINT ["${realpathSync(process.execPath)}"]\n`);
    await writeFile(join(ctx, 'marker.txt'), 'v1');
    await writeFile(join(ctx, 'big.bin'), randomBytes(2 * 1024 * 1024));
    await writeFile(join(ctx, '.dockerignore'), 'big.bin\n');
    const binds = hostRuntimeContainerSpec([]).binds ?? [];
    const manifest = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: built }
spec:
  actors:
    - id: built-greeter
      mode: container
      behaviour: { module: ${bundleJsGuest(GREETER, 'default')} }
      config: { greeting: moin }
      container:
        image: ${tag}
        build: { context: ./img }
        binds: [${binds.map((b) => JSON.stringify(b)).join(', ')}]
`;
    const first = await client.apply(manifest, { source: 'built.yaml', appDir: appFolder });
    const context = first.artifacts!.find((a) => a.kind === 'file')!;
    expect(context).toMatchObject({ source: './img', uploaded: true });
    expect(context.size).toBeLessThan(64 * 1024); // big.bin stayed home
    await expect.poll(() => ask('built-greeter', { type: 'greet' }), { timeout: 90_000, interval: 500 }).toBe('moin, world');
    expect((await docker.getImage(tag).inspect()).Config.Labels[BUILD_KEY_LABEL]).toBe(`${context.sha256}:Dockerfile`);

    await writeFile(join(ctx, 'marker.txt'), 'v2');
    const second = await client.apply(manifest, { source: 'built.yaml', appDir: appFolder });
    const changed = second.artifacts!.find((a) => a.kind === 'file')!;
    expect(changed.sha256).not.toBe(context.sha256);
    await expect.poll(async () => (await docker.getImage(tag).inspect()).Config.Labels[BUILD_KEY_LABEL], { timeout: 90_000, interval: 500 }).toBe(`${changed.sha256}:Dockerfile`);
    await expect.poll(() => ask('built-greeter', { type: 'greet' }), { timeout: 60_000, interval: 500 }).toBe('moin, world');
  }, 240_000);

  it('folders - the Python example manifest runs as written, its folder delivered', async () => {
    const dir = join(EXAMPLES, 'python-actor');
    const applied = await client.apply(readFileSync(join(dir, 'counter.yaml'), 'utf8'), { source: 'counter.yaml', appDir: dir });
    expect(applied.artifacts).toEqual([expect.objectContaining({ kind: 'file', source: '.', actors: ['py-counter'] })]);
    await system.ref('py-counter').tell({ type: 'inc', by: 2 } as never);
    await expect.poll(() => ask('py-counter', { type: 'get' }), { timeout: 60_000, interval: 500 }).toBe(2);
    await client.deleteApp('py-counter');
  }, 120_000);

  it('folders - a third-party module by path runs in a container on a site that lacks its file', async () => {
    const manifest = readFileSync(join(EXAMPLES, 'modules', 'pipeline.yaml'), 'utf8').replace('name: pipeline', 'name: boxed-pipeline').replace('mode: worker', 'mode: container').replace(/id: (clock|threshold|tally)/g, 'id: boxed-$1').replace(/to: (threshold|tally)/g, 'to: boxed-$1');
    const applied = await client.apply(manifest, { source: 'pipeline.yaml', appDir: join(EXAMPLES, 'modules') });
    expect(applied.artifacts?.map((a) => a.source).sort()).toEqual(['./tally.ts', './threshold.ts']);
    expect((await client.getApp('boxed-pipeline')).app.spec.actors.find((a) => a.id === 'boxed-threshold')?.module).toMatch(/^artifact:sha256:/);
    await expect.poll(() => ask('boxed-tally', { type: 'count' }), { timeout: 90_000, interval: 500 }).toMatchObject({ alerts: 5 });
  }, 150_000);

  it("folders - a program in an image of its own runs as the image's entry point, whatever the image's ENTRYPOINT says", async () => {
    const tag = `cairn-entry-${unique}:1`;
    builtTags.push(tag);
    // An image whose own entry point fails at once: the program must replace it.
    execFileSync('docker', ['build', '-q', '-t', tag, '-'], { input: `FROM cairn-base:local\nLABEL cairn.test=${unique}\nENTRYPOINT ["/bin/false"]\n`, stdio: ['pipe', 'pipe', 'pipe'] });
    const binds = (hostRuntimeContainerSpec([]).binds ?? []).map((b) => JSON.stringify(b)).join(', ');
    const manifest = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: py-image }
spec:
  actors:
    - id: py-imaged
      mode: container
      program: { command: [/usr/bin/python3, main.py], dir: ./py }
      config: { where: image }
      container: { image: "${tag}", binds: [${binds}] }
`;
    await client.apply(manifest, { source: 'py-image.yaml', appDir: appFolder });
    await expect.poll(() => ask('py-imaged', { type: 'config' }), { timeout: 60_000, interval: 500 }).toMatchObject({ where: 'image' });
  }, 120_000);
});
