import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import { startAppController } from '../../../control-plane/index.ts';
import type { AppController } from '../../../control-plane/index.ts';
import { ExitCodes, runCli } from '../../../deploy/cli/index.ts';
import { formatDiagnostics, parseManifest } from '../../../control-plane/index.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TestServer } from '../../helpers/nats.ts';
import { captureIo } from './cli-harness.ts';
import type { GreeterMsg } from '../../../examples/apply/greeter.ts';

const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/apply/', import.meta.url));
const EXAMPLE = join(EXAMPLE_DIR, 'hello-app.yaml');
const site = 'local';

let server: TestServer;
let system: ActorSystem;
let controller: AppController;
let tmp: string;

beforeAll(async () => {
  server = await startTestServer();
  tmp = await mkdtemp(join(tmpdir(), 'cairn-apply-cli-'));
  system = await createActorSystem({ servers: server.url, site, node: 'n1' });
  // A single site holds the bucket itself: no cloudDomain.
  controller = await startAppController({ system, appDir: EXAMPLE_DIR });
}, 30_000);
afterAll(async () => {
  await controller?.stop();
  await system?.shutdown();
  await server?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({});
  const code = await runCli([...args, '--server', server.url, '--site', site], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

async function greet(id: string): Promise<string | undefined> {
  return system.ref<GreeterMsg>(id).ask({ type: 'greet' }, { timeout: 2_000 }).catch(() => undefined);
}

/** The example with another greeting, in another folder: its behaviour named by absolute path (relative paths are relative to the manifest). */
async function variant(greeting: string): Promise<string> {
  const path = join(tmp, `hello-${greeting}.yaml`);
  await writeFile(path, (await readFile(EXAMPLE, 'utf8')).replace('greeting: hello', `greeting: ${greeting}`).replaceAll('./greeter.ts', join(EXAMPLE_DIR, 'greeter.ts')));
  return path;
}

describe('examples/apply', () => {
  it('examples - hello-app.yaml is valid and has no warnings', async () => {
    const result = parseManifest(await readFile(EXAMPLE, 'utf8'), 'hello-app.yaml');
    expect(formatDiagnostics(result.ok ? result.warnings : [...result.errors, ...result.warnings])).toBe('');
  });
});

describe('cairn apply / get / rollback / delete', () => {
  it('cli - an invalid manifest prints every [error] line, exits 1 and applies nothing', async () => {
    const bad = join(tmp, 'bad.yaml');
    await writeFile(bad, 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: broken }\nspec:\n  actors:\n    - id: a\n      behaviour: { module: ./x.ts }\n      restart: sometimes\n      mode: thread\n');
    const r = await cli('apply', '-f', bad);
    expect(r.code).toBe(ExitCodes.error);
    const errors = r.err.split('\n').filter((l) => l.startsWith('[error]'));
    expect(errors).toHaveLength(2);
    expect(r.err).toContain('spec.actors[0].restart');
    expect(r.err).toContain('spec.actors[0].mode');
    expect(r.err).toContain('nothing applied');
    expect((await cli('get', 'broken')).err).toContain('CAIRN_APP_NOT_FOUND');
  });

  it('cli - a missing file is a named error', async () => {
    const r = await cli('apply', '-f', join(tmp, 'nope.yaml'));
    expect(r.code).toBe(ExitCodes.error);
    expect(r.err).toContain('CAIRN_MANIFEST_NOT_FOUND');
  });

  it('cli - apply --dry-run shows the actors a new app would bring, with their sites, and stores nothing', async () => {
    const dry = await cli('apply', '-f', EXAMPLE, '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/^application "hello" would be created$/m);
    expect(dry.out).toMatch(/^ {2}\+ actor greeter \(every site\)$/m);
    expect(dry.out).toMatch(/^ {2}\+ actor edge-greeter \(sites edge1\)$/m);
    expect((await cli('get', 'hello')).err).toContain('CAIRN_APP_NOT_FOUND');
    expect((await cli('diff', '-f', EXAMPLE)).code).toBe(1);
  });

  it('cli - apply prints the revision, runs the actors placed on this site, and an identical apply writes nothing', async () => {
    const first = await cli('apply', '-f', EXAMPLE);
    expect(first.code).toBe(0);
    const rev = Number(/revision (\d+)/.exec(first.out)?.[1]);
    // Both actors run examples/apply/greeter.ts: one artifact, stored once.
    expect(first.out).toMatch(new RegExp(`^application "hello" applied: revision ${rev}\nartifacts: 1 stored \\(\\d+\\.\\d KiB\\), 0 already there$`));
    expect((await cli('apply', '-f', EXAMPLE)).out).toBe(`application "hello" unchanged: revision ${rev}\nartifacts: 0 stored, 1 already there`);
    const artifacts = await cli('artifacts', 'ls');
    const listed = JSON.parse((await cli('artifacts', 'ls', '-o', 'json')).out) as { digest: string }[];
    expect(listed).toHaveLength(1);
    expect(parseYaml((await cli('artifacts', 'ls', '-o', 'yaml')).out)).toEqual(listed);
    expect(artifacts.out.split('\n')[0]).toMatch(/^DIGEST\s+KIND\s+SIZE\s+STORED\s+SOURCE\s+USED BY$/);
    expect(artifacts.out).toMatch(new RegExp(`sha256:[0-9a-f]{12}\\s+behaviour\\s+\\d+\\.\\d KiB\\s+\\S+\\s+\\./greeter\\.ts\\s+hello@${rev}$`, 'm'));
    await expect.poll(() => greet('greeter'), { timeout: 15_000, interval: 100 }).toBe('hello, world');
    // edge-greeter is placed on edge1 only.
    expect(system.ps().actors.map((a) => a.id)).not.toContain('edge-greeter');

    const list = await cli('get');
    expect(list.out.split('\n')[0]).toMatch(/^NAME\s+REVISION\s+APPLIED\s+ACTORS$/);
    expect(list.out).toMatch(new RegExp(`hello\\s+${rev}\\s+\\S+\\s+greeter,edge-greeter`));
    const json = JSON.parse((await cli('get', '--json')).out) as { name: string; revision: number }[];
    expect(json).toMatchObject([{ name: 'hello', revision: rev }]);
  });

  it('cli - diff exits 0 when the stored app is the same, 1 naming the changed actors, 2 on an invalid manifest', async () => {
    const same = await cli('diff', '-f', EXAMPLE);
    expect(same.code, same.err).toBe(0);
    expect(same.out).toMatch(/^application "hello" unchanged \(revision \d+\)$/);
    const changed = await cli('diff', '-f', await variant('hej'));
    expect(changed.code, changed.err).toBe(1);
    expect(changed.out).toMatch(/^application "hello" would change: revision \d+ -> a new revision$/m);
    expect(changed.out).toMatch(/^ {2}~ actor greeter \(every site\)$/m);
    expect(changed.out).not.toMatch(/edge-greeter/);
    const data = JSON.parse((await cli('diff', '-f', await variant('hej'), '-o', 'json')).out) as { changed: boolean; modified: { id: string }[]; added: unknown[] };
    expect(data).toMatchObject({ changed: true, modified: [{ id: 'greeter' }], added: [] });
    const bad = join(tmp, 'bad-diff.yaml');
    await writeFile(bad, 'apiVersion: cairn/v1\nkind: Application\nmetadata: {}\n');
    expect((await cli('diff', '-f', bad)).code).toBe(ExitCodes.usage);
    // Nothing of this was stored: the app is still what apply wrote.
    expect((await cli('diff', '-f', EXAMPLE)).code).toBe(0);
  });

  it('cli - rollback needs a previous revision; a new apply and a rollback change what runs', async () => {
    const none = await cli('rollback', 'hello');
    expect(none.code).toBe(ExitCodes.error);
    expect(none.err).toContain('CAIRN_APP_NO_PREVIOUS_REVISION');

    const v2 = await cli('apply', '-f', await variant('bonjour'));
    expect(v2.out).toMatch(/applied: revision \d+/);
    await expect.poll(() => greet('greeter'), { timeout: 15_000, interval: 100 }).toBe('bonjour, world');

    const unknown = await cli('rollback', 'hello', '--to-revision', '9999');
    expect(unknown.err).toContain('CAIRN_APP_REVISION_NOT_FOUND');
    expect((await cli('rollback', 'hello', '--to-revision', 'x')).code).toBe(ExitCodes.usage);

    const back = await cli('rollback', 'hello');
    expect(back.out).toMatch(/^application "hello" rolled back to revision \d+: now revision \d+$/);
    await expect.poll(() => greet('greeter'), { timeout: 15_000, interval: 100 }).toBe('hello, world');

    const details = await cli('get', 'hello');
    expect(details.out).toContain('revisions:');
    expect(details.out).toMatch(/rollback to revision \d+ \(current\)/);
    expect(details.out).toMatch(/local\s+running/);
  });

  it('cli - delete stops the app; get then says so, and rollback restores it', async () => {
    const del = await cli('delete', 'hello');
    expect(del.out).toMatch(/^application "hello" deleted \(revision \d+\)/);
    await expect.poll(() => system.ps().actors.some((a) => a.id === 'greeter'), { timeout: 15_000, interval: 100 }).toBe(false);
    const get = await cli('get', 'hello');
    expect(get.code).toBe(ExitCodes.error);
    expect(get.err).toContain('CAIRN_APP_NOT_FOUND');
    expect((await cli('delete', 'hello')).err).toContain('CAIRN_APP_NOT_FOUND');

    expect((await cli('rollback', 'hello')).code).toBe(0);
    await expect.poll(() => greet('greeter'), { timeout: 15_000, interval: 100 }).toBe('hello, world');
  });

  it('examples - examples/manifests/minimal.yaml runs as it is, beside the hello app', async () => {
    const minimal = fileURLToPath(new URL('../../../examples/manifests/minimal.yaml', import.meta.url));
    const applied = await cli('apply', '-f', minimal);
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toMatch(/^application "minimal" applied: revision \d+$/m);
    await expect.poll(() => greet('minimal-greeter'), { timeout: 15_000, interval: 100 }).toBe('hello, world');
    expect((await cli('delete', 'minimal')).code).toBe(0);
  });
});
