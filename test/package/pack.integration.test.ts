// Cairn as others get it: `npm pack`, the tarball installed into a project outside this
// repository, and code there that imports 'cairn' run with plain node (no tsx, no loader).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../package/manifest.ts';
import { startTestSite } from '../../package/testing.ts';
import type { TestSite } from '../../package/testing.ts';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(REPO, 'node_modules', '.bin', 'tsc');

let project: string;
let site: TestSite;

/** Runs `node <file>` in the project, with the test site's URL in CAIRN_SERVER. */
async function node(file: string): Promise<string> {
  const { stdout } = await run(process.execPath, [file], { cwd: project, env: { ...process.env, CAIRN_SERVER: site.url }, timeout: 60_000 });
  return stdout;
}

/** The README's code block under "Spawning actors from code", as written. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Spawning actors from code'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ts block under "Spawning actors from code"');
  return block;
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'cairn-user-'));
  // The tarball the registry would hold, packed from the dist/ that `npm test` built before the suite
  // started. Scripts are skipped: `prepare` would rebuild dist/ in place, and tsc rewrites each file
  // while other tests of this run import it (a CLI started then read a half-written module).
  const { stdout } = await run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', project], { cwd: REPO, timeout: 180_000 });
  const tarball = join(project, stdout.trim().split('\n').pop()!);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  // From the npm cache this machine already has; install scripts (native add-ons) are not needed.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball, 'ts-pattern'], { cwd: project, timeout: 300_000 });
  site = await startTestSite();
}, 400_000);

afterAll(async () => {
  await site?.stop();
  if (project) await rm(project, { recursive: true, force: true });
});

describe('the package, installed elsewhere', () => {
  it('package - cairn/client talks to a running site: nodes, actors, tell and ask', async () => {
    await writeFile(
      join(project, 'client.mjs'),
      `import { createActorSystem, defineActor } from 'cairn';
import { CairnClient } from 'cairn/client';
const Tally = defineActor({ name: 'tally', initialState: { n: 0 }, receive: (msg, ctx) => (msg.type === 'add' ? ctx.setState({ n: ctx.state.n + msg.n }) : ctx.state.n) });
const system = await createActorSystem({ servers: process.env.CAIRN_SERVER, site: 'user-client', node: 'n1' });
await system.spawn(Tally, { id: 'tally' });
const client = await CairnClient.connect({ servers: process.env.CAIRN_SERVER, site: 'user-client' });
await client.tell('tally', { type: 'add', n: 3 });
const n = await client.ask('tally', { type: 'get' });
const nodes = (await client.listNodes()).map((x) => x.id);
const actors = (await client.listActors()).results.map((a) => a.id);
console.log(JSON.stringify({ n, nodes, actors }));
await client.close();
await system.shutdown();
`,
    );
    expect(JSON.parse(await node('client.mjs'))).toEqual({ n: 3, nodes: ['n1'], actors: ['tally'] });
  }, 120_000);

  it('package - a plain .mjs runs actors inline and in a worker thread from the installed tarball', async () => {
    // A behaviour module of the user's: the worker guest bundles it with the installed Cairn.
    await writeFile(
      join(project, 'echo.mjs'),
      `import { defineActor } from 'cairn';
export const Echo = defineActor({ name: 'echo', receive: (msg) => ({ echoed: msg.text, thread: 'worker' }) });
`,
    );
    await writeFile(
      join(project, 'main.mjs'),
      `import { createActorSystem, defineActor } from 'cairn';
const Counter = defineActor({ name: 'counter', initialState: { n: 0 }, receive: (msg, ctx) => (msg.type === 'inc' ? ctx.setState({ n: ctx.state.n + msg.by }) : ctx.state.n) });
const system = await createActorSystem({ servers: process.env.CAIRN_SERVER, site: 'user-mjs', node: 'n1' });
const counter = await system.spawn(Counter, { id: 'counter' });
await counter.tell({ type: 'inc', by: 5 });
const echo = await system.spawn((await import('./echo.mjs')).Echo, { id: 'echo', runtime: { mode: 'worker', module: new URL('./echo.mjs', import.meta.url).href, export: 'Echo' } });
console.log(JSON.stringify({ n: await counter.ask({ type: 'get' }), echo: await echo.ask({ type: 'say', text: 'hi' }, { timeout: 20_000 }) }));
await system.shutdown();
`,
    );
    expect(JSON.parse(await node('main.mjs'))).toEqual({ n: 5, echo: { echoed: 'hi', thread: 'worker' } });
  }, 120_000);

  it('package - TypeScript against the package\u2019s types compiles with strict tsc and runs with plain node', async () => {
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, outDir: 'out', types: [] }, include: ['typed.ts'] }),
    );
    await writeFile(
      join(project, 'typed.ts'),
      `import { createActorSystem, defineActor, isCairnError, KernelCodes, type Asks } from 'cairn';
import { parseManifest } from 'cairn/manifest';
type Msg = { type: 'add'; by: number } | ({ type: 'total' } & Asks<number>);
const Adder = defineActor<Msg, { total: number }>({
  name: 'adder',
  initialState: { total: 0 },
  receive: (msg, ctx) => (msg.type === 'add' ? ctx.setState({ total: ctx.state.total + msg.by }) : ctx.state.total),
});
const system = await createActorSystem({ servers: process.env['CAIRN_SERVER']!, site: 'user-ts', node: 'n1' });
const adder = await system.spawn(Adder, { id: 'adder' });
await adder.tell({ type: 'add', by: 40 });
await adder.tell({ type: 'add', by: 2 });
const total: number = await adder.ask({ type: 'total' });
const unknown = await system.ref('nobody').ask({ type: 'x' }, { timeout: 1_000 }).catch((e: unknown) => e);
const manifest = parseManifest('apiVersion: cairn.dev/v1\\nkind: Application\\nmetadata: { name: demo }\\nspec: { actors: [] }\\n');
console.log(JSON.stringify({ total, timedOut: isCairnError(unknown, KernelCodes.ASK_TIMEOUT), manifestOk: manifest.ok }));
await system.shutdown();
`,
    );
    await run(TSC, ['-p', project], { cwd: project, timeout: 120_000 });
    // The installed 'cairn/manifest' judges a manifest as the sources do.
    const expected = parseManifest('apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: demo }\nspec: { actors: [] }\n').ok;
    expect(JSON.parse(await node(join('out', 'typed.js')))).toEqual({ total: 42, timedOut: true, manifestOk: expected });
  }, 120_000);

  it('package - the README\u2019s SDK example, as written, compiles and runs', async () => {
    await writeFile(join(project, 'readme.ts'), await readmeExample());
    await writeFile(
      join(project, 'tsconfig.readme.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out', types: ['node'] }, include: ['readme.ts'] }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '@types/node@20'], { cwd: project, timeout: 120_000 });
    await run(TSC, ['-p', join(project, 'tsconfig.readme.json')], { cwd: project, timeout: 120_000 });
    expect(await node(join('out', 'readme.js'))).toBe('counter is 2; audit saw [2]\n');
  }, 180_000);

  it('package - the README’s SDK example finds `cairn up` (its cairn-up.json in .cairn) and never disturbs its node', async () => {
    // Compiled by the test above; `cairn up` from the installed package, in the project, with its defaults.
    const env = { ...process.env };
    delete env['CAIRN_SERVER'];
    delete env['CAIRN_SITE'];
    delete env['CAIRN_DATA_DIR'];
    const up = spawn(join(project, 'node_modules', '.bin', 'cairn'), ['up'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    up.stdout.on('data', (c: Buffer) => (out += c.toString()));
    up.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => up.once('close', (code) => r(code)));
    try {
      await expect.poll(() => /^ready: /m.test(out), { timeout: 60_000, interval: 100 }).toBe(true);
      const { stdout } = await run(process.execPath, [join('out', 'readme.js')], { cwd: project, env, timeout: 60_000 });
      expect(stdout).toBe('counter is 2; audit saw [2]\n');
      // It ran on cairn up's server (a site of its own there); cairn up's node still leads and answers.
      const cairn = (args: string[]) => run(join(project, 'node_modules', '.bin', 'cairn'), args, { cwd: project, env, timeout: 30_000 });
      const nodes = JSON.parse((await cairn(['nodes', '-o', 'json'])).stdout) as { id: string; role: string }[];
      expect(nodes.map((n) => n.role)).toEqual(['leader']);
      expect((await cairn(['ask', 'greeter', '{"type":"greet","name":"Ada"}'])).stdout).toContain('Ada');
      expect(out).not.toMatch(/lost the site lease|standby/);
    } finally {
      up.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  }, 120_000);

  it('package - a module written against cairn/module is checked by cairn/manifest and runs in a worker with its config', async () => {
    await writeFile(
      join(project, 'scaler.mjs'),
      `import { defineActor, defineModule, Type } from 'cairn/module';
export const Scaler = defineActor({ name: 'scaler', receive: (msg, ctx) => msg.value * ctx.config.factor });
export default defineModule({
  name: 'acme/scaler',
  description: 'multiplies values by a factor',
  config: Type.Object({ factor: Type.Number({ default: 10 }) }, { additionalProperties: false }),
  behaviour: Scaler,
  source: { url: import.meta.url, export: 'Scaler' },
});
`,
    );
    await writeFile(
      join(project, 'use-module.mjs'),
      `import { parseManifestWithModules } from 'cairn/manifest';
import { createActorSystem } from 'cairn';
import Scaler from './scaler.mjs';
const text = (config) => \`apiVersion: cairn.dev/v1\\nkind: Application\\nmetadata: { name: m }\\nspec:\\n  actors:\\n    - { id: s, module: ./scaler.mjs, mode: worker, config: \${config} }\\n\`;
const good = await parseManifestWithModules(text('{}'), 'm.yaml', process.cwd());
const bad = await parseManifestWithModules(text('{ factor: lots }'), 'm.yaml', process.cwd());
const config = good.app.spec.actors[0].config;
const system = await createActorSystem({ servers: process.env.CAIRN_SERVER, site: 'user-module', node: 'n1' });
const s = await system.spawn(Scaler.behaviour, { id: 's', config, runtime: { mode: 'worker', module: Scaler.source.url, export: Scaler.source.export } });
console.log(JSON.stringify({ config, bad: bad.errors.map((e) => e.path), scaled: await s.ask({ type: 'scale', value: 4 }, { timeout: 20_000 }) }));
await system.shutdown();
`,
    );
    expect(JSON.parse(await node('use-module.mjs'))).toEqual({ config: { factor: 10 }, bad: ['spec.actors[0].config.factor'], scaled: 40 });
  }, 120_000);

  it('package - the cairn command runs from the installed package, and internals stay behind the exports map', async () => {
    const { stdout } = await run(join(project, 'node_modules', '.bin', 'cairn'), ['--version'], { cwd: project, timeout: 30_000 });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    await writeFile(join(project, 'deep.mjs'), `await import('cairn/dist/kernel/actor-node.js');\n`);
    const err = await node('deep.mjs').catch((e: unknown) => e);
    expect(String((err as { stderr?: string }).stderr)).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
    // The JSON Schema is reached through the exports map, as an editor or a validator would.
    await writeFile(join(project, 'schema.mjs'), `import schema from 'cairn/manifest/schema.json' with { type: 'json' };\nconsole.log(schema.$id);\n`);
    expect((await node('schema.mjs')).trim()).toMatch(/cairn\.dev/);
    await writeFile(join(project, 'sites-schema.mjs'), `import schema from 'cairn/sites/schema.json' with { type: 'json' };\nconsole.log(schema.$id);\n`);
    expect((await node('sites-schema.mjs')).trim()).toBe('https://cairn.dev/schemas/sites-v1.schema.json');
  }, 60_000);
});
