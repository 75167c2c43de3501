import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseManifestOrThrow } from '../../control-plane/index.ts';
import type { Actor, Application } from '../../control-plane/index.ts';
import { appTreeSpec, builtImageTag, hostedRuntime, loadActor, loadBehaviour, resolveModulePath, resolveRuntime } from '../../control-plane/index.ts';
import type { LoadedActor } from '../../control-plane/index.ts';
import type { ActorDefinition } from '../../kernel/index.ts';
import { DEFAULT_RETRY } from '../../kernel/index.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url)).replace(/\/$/, '');

function oneActor(yaml: string): { app: Application; actor: Actor } {
  const app = parseManifestOrThrow(`apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: demo }\nspec:\n  actors:\n    - id: a1\n${yaml.replace(/^/gm, '      ')}\n`).app;
  return { app, actor: app.spec.actors[0]! };
}
const ctx = { app: 'demo', actor: 'a1', site: 'edge1' };

describe('resolveRuntime', () => {
  it('resolveRuntime - inline by default', () => {
    const { app, actor } = oneActor('behaviour: { module: ./greeter.ts }');
    expect(resolveRuntime(actor, app, FIXTURES)).toEqual({ mode: 'inline' });
  });

  it('resolveRuntime - worker imports the module resolved against appDir, with its export', () => {
    const { app, actor } = oneActor('behaviour: { module: ./echo.ts, export: Echo }\nmode: worker');
    expect(resolveRuntime(actor, app, FIXTURES)).toEqual({ mode: 'worker', module: `${FIXTURES}/echo.ts`, export: 'Echo' });
  });

  it('resolveRuntime - a worker gets the manifest env', () => {
    const { app, actor } = oneActor('behaviour: { module: ./echo.ts, export: Echo }\nmode: worker\nenv: { LEVEL: debug }');
    expect(resolveRuntime(actor, app, FIXTURES)).toEqual({ mode: 'worker', module: `${FIXTURES}/echo.ts`, export: 'Echo', env: { LEVEL: 'debug' } });
  });

  it('resolveRuntime - process runs the module (resolved against appDir) as a pre-bundled stdio guest, with env', () => {
    const { app, actor } = oneActor('behaviour: { module: ./echo.ts, export: Echo }\nmode: process\nenv: { LEVEL: debug }');
    const spec = resolveRuntime(actor, app, FIXTURES);
    expect(spec).toMatchObject({ mode: 'process', command: process.execPath, env: { LEVEL: 'debug' } });
    expect(spec.mode === 'process' && spec.args).toEqual([expect.stringMatching(/node_modules\/\.cache\/cairn-guests\/[0-9a-f]{16}\.mjs$/)]);
  });

  it('resolveRuntime - a process module that does not exist fails with CAIRN_GUEST_START_FAILED naming it', () => {
    const { app, actor } = oneActor('behaviour: { module: ../x/echo.ts, export: Echo }\nmode: process');
    expect(() => resolveRuntime(actor, app, FIXTURES)).toThrow(expect.objectContaining({ code: 'CAIRN_GUEST_START_FAILED', message: expect.stringContaining(resolveModulePath('../x/echo.ts', FIXTURES)) }));
  });

  it('resolveRuntime - a process program runs its command with its folder (against appDir) as working directory; ./name is in that folder', () => {
    const { app, actor } = oneActor('program: { command: [python3, -u, counter.py], dir: ./py }\nmode: process\nenv: { A: "1" }');
    expect(resolveRuntime(actor, app, FIXTURES)).toEqual({ mode: 'process', command: 'python3', args: ['-u', 'counter.py'], cwd: `${FIXTURES}/py`, env: { A: '1' } });
    const local = oneActor('program: { command: [./run.sh, fast], dir: ./py }\nmode: process');
    expect(resolveRuntime(local.actor, local.app, FIXTURES)).toMatchObject({ command: `${FIXTURES}/py/run.sh`, args: ['fast'] });
    const bare = oneActor('program: { command: [/usr/local/bin/sensor] }\nmode: process');
    expect(resolveRuntime(bare.actor, bare.app, FIXTURES)).toEqual({ mode: 'process', command: '/usr/local/bin/sensor', args: [] });
  });

  it('resolveRuntime - a container program without an image runs in the base image with the host runtimes, its folder bound and its working directory', () => {
    const { app, actor } = oneActor('program: { command: [python3, counter.py], dir: /srv/py }\nmode: container\nresources: { memoryMb: 64 }');
    const spec = resolveRuntime(actor, app, FIXTURES);
    expect(spec).toMatchObject({ mode: 'container', image: 'cairn-base:local', cmd: ['python3', 'counter.py'], workdir: '/srv/py', limits: { memoryMb: 64 } });
    expect(spec.mode === 'container' && spec.binds).toEqual(expect.arrayContaining(['/usr:/usr:ro', '/srv/py:/srv/py:ro']));
  });

  it('resolveRuntime - a container program with an image runs in it, with its folder bound and its build keyed by the context digest', () => {
    const { app, actor } = oneActor('program: { command: [python3, counter.py], dir: /srv/py }\nmode: container\ncontainer: { image: acme/py:1, binds: ["/data:/data"] }');
    expect(resolveRuntime(actor, app, FIXTURES)).toEqual({ mode: 'container', image: 'acme/py:1', entrypoint: ['python3', 'counter.py'], workdir: '/srv/py', binds: ['/srv/py:/srv/py:ro', '/data:/data'] });
    const keyed = { ...actor, container: { build: { context: '/cache/sha256-ab.d', dockerfile: 'Dockerfile', key: 'ab' } } } as Actor;
    expect(resolveRuntime(keyed, app, FIXTURES)).toMatchObject({ image: 'cairn-app-demo-a1:latest', build: { context: '/cache/sha256-ab.d', dockerfile: 'Dockerfile', key: 'ab' } });
  });

  it('loadActor - a program actor gets a remote definition with the manifest policies, and no code for guests', async () => {
    const { actor } = oneActor('program: { command: [python3, counter.py] }\nmode: process\npersist: true\nmailbox: { maxAttempts: 5 }');
    const loaded = await loadActor(actor, ctx, FIXTURES);
    expect(loaded.code).toBeUndefined();
    expect(loaded.definition).toMatchObject({ name: 'a1', persist: true, retry: { maxAttempts: 5 } });
  });

  it('resolveRuntime - container takes image, build context, binds, network and resources as limits', () => {
    const { app, actor } = oneActor(
      'behaviour: { module: /app/detector.js }\nmode: container\nenv: { A: "1" }\nresources: { cpu: 0.5, memoryMb: 64, pids: 32 }\ncontainer: { image: acme/det:1, build: { context: ./ctx }, binds: ["/data:/data:ro"], network: host }',
    );
    expect(resolveRuntime(actor, app, FIXTURES)).toEqual({
      mode: 'container',
      image: 'acme/det:1',
      build: { context: `${FIXTURES}/ctx`, dockerfile: 'Dockerfile' },
      cmd: ['/app/detector.js', 'default'],
      env: { A: '1' },
      binds: ['/data:/data:ro'],
      network: 'host',
      limits: { cpus: 0.5, memoryMb: 64, pids: 32 },
    });
  });

  it('resolveRuntime - a container built without an image gets a generated tag', () => {
    const { app, actor } = oneActor('behaviour: { module: /app/x.js }\nmode: container\ncontainer: { build: { context: . } }');
    expect(resolveRuntime(actor, app, FIXTURES)).toMatchObject({ image: builtImageTag('demo', 'a1') });
  });

  it('resolveRuntime - a pinned image (container.imageId) runs by its id, whatever its tag points at', () => {
    const id = `sha256:${'ab'.repeat(32)}`;
    const { app, actor } = oneActor(`behaviour: { module: /app/x.js }\nmode: container\ncontainer: { image: "acme/det:1", imageId: "${id}" }`);
    expect(resolveRuntime(actor, app, FIXTURES)).toMatchObject({ image: id });
  });

  it('resolveModulePath - package names are kept, paths become absolute', () => {
    expect(resolveModulePath('cairn-actors/inference', '/srv/app')).toBe('cairn-actors/inference');
    expect(resolveModulePath('./a.ts', '/srv/app')).toBe('/srv/app/a.ts');
    expect(resolveModulePath('/opt/b.ts', '/srv/app')).toBe('/opt/b.ts');
  });
});

describe('loadBehaviour', () => {
  it('loadBehaviour - a factory export gets the config (inline)', async () => {
    const { actor } = oneActor('behaviour: { module: ./greeter.ts }\nconfig: { greeting: salut }');
    const def = await loadBehaviour(actor, ctx, FIXTURES);
    expect(def.kind).toBe('cairn.actor');
    const reply = def.receive({ type: 'greet' } as never, {} as never);
    expect(reply).toBe('salut');
  });

  it('loadBehaviour - a named definition export; manifest persist, maxAttempts and capacity apply on top', async () => {
    const { actor } = oneActor('behaviour: { module: ./echo.ts, export: Echo }\nmode: worker\npersist: true\nmailbox: { maxAttempts: 2, capacity: 7 }');
    const def = await loadBehaviour(actor, ctx, FIXTURES);
    expect(def).toMatchObject({ name: 'echo', persist: true, retry: { maxAttempts: 2 }, mailbox: { capacity: 7 } });
    // Unwritten, the behaviour's own policy stands (one default: the kernel's DEFAULT_RETRY).
    const plain = await loadBehaviour(oneActor('behaviour: { module: ./echo.ts, export: Echo }\nmode: worker').actor, ctx, FIXTURES);
    expect(plain.retry).toEqual(DEFAULT_RETRY);
    expect(plain.mailbox).toEqual({});
  });

  it('loadBehaviour - process and container modes get a remote definition without importing anything', async () => {
    const { actor } = oneActor('behaviour: { module: ./nowhere.ts }\nmode: process');
    const def = await loadBehaviour(actor, ctx, FIXTURES, () => Promise.reject(new Error('must not import')));
    expect(def).toMatchObject({ kind: 'cairn.actor', name: 'a1' });
  });

  it('loadBehaviour - a missing module, a missing export, a non-actor and a factory in worker mode are named errors', async () => {
    const cases: [string, string, RegExp][] = [
      ['behaviour: { module: ./missing.ts }', 'CAIRN_APP_BEHAVIOUR_NOT_FOUND', /missing\.ts/],
      ['behaviour: { module: ./echo.ts, export: Nope }', 'CAIRN_APP_BEHAVIOUR_INVALID', /no export "Nope" \(exports: .*Echo/],
      ['behaviour: { module: ./echo.ts, export: notAnActor }', 'CAIRN_APP_BEHAVIOUR_INVALID', /is a number/],
      ['behaviour: { module: ./greeter.ts }\nmode: worker', 'CAIRN_APP_BEHAVIOUR_INVALID', /factory, which only inline mode/],
    ];
    for (const [yaml, code, message] of cases) {
      const { actor } = oneActor(yaml);
      const err = await loadBehaviour(actor, ctx, FIXTURES).catch((e: unknown) => e);
      expect(err, yaml).toMatchObject({ code });
      expect((err as Error).message, yaml).toMatch(message);
    }
  });
});

describe('appTreeSpec', () => {
  it('appTreeSpec - one tree app-<name> with the manifest flags and the site actors as children', async () => {
    const app = parseManifestOrThrow(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: shop }
spec:
  supervisor: { strategy: rest_for_one, intensity: 7, periodMs: 900, backoff: { initialMs: 10 } }
  actors:
    - { id: a, behaviour: { module: ./echo.ts, export: Echo }, restart: transient, shutdownMs: 50 }
    - { id: b, behaviour: { module: ./echo.ts, export: Echo }, mode: worker }
`).app;
    const defs = new Map<string, LoadedActor>();
    for (const a of app.spec.actors) defs.set(a.id, await loadActor(a, { ...ctx, actor: a.id }, FIXTURES));
    const spec = appTreeSpec(app, app.spec.actors, defs, FIXTURES);
    expect(spec).toMatchObject({ id: 'app-shop', strategy: 'rest_for_one', intensity: 7, periodMs: 900, backoff: { initialMs: 10, maxMs: 30_000, multiplier: 2, resetAfterMs: 60_000 } });
    expect(spec.children.map((c) => ({ id: c.id, restart: c.restart, shutdownMs: c.shutdownMs, mode: 'runtime' in c ? c.runtime?.mode : undefined }))).toEqual([
      { id: 'a', restart: 'transient', shutdownMs: 50, mode: 'inline' },
      { id: 'b', restart: 'permanent', shutdownMs: 5_000, mode: 'worker' },
    ]);
  });
});

describe('module actors', () => {
  const EXAMPLES = fileURLToPath(new URL('../../examples/modules/', import.meta.url)).replace(/\/$/, '');
  const THRESHOLD = `${EXAMPLES}/threshold.ts`;

  it('loadActor - a third-party module: its behaviour, its source for guests, its config with defaults', async () => {
    const { actor } = oneActor('module: ./threshold.ts\nmode: worker\nconfig: { to: t, above: 1 }\nmailbox: { maxAttempts: 2, capacity: 3 }');
    const loaded = await loadActor(actor, ctx, EXAMPLES);
    expect(loaded.definition).toMatchObject({ name: 'threshold', persist: true, retry: { maxAttempts: 2 }, mailbox: { capacity: 3 } });
    expect(loaded.code).toEqual({ module: THRESHOLD, export: 'ThresholdActor' });
    expect(loaded.config).toEqual({ to: 't', above: 1, field: 'value' });
  });

  it('resolveRuntime - a module runs from its source in a worker, a process, or Cairn\'s base image with binds and limits', async () => {
    for (const [mode, expected] of [
      ['worker', { mode: 'worker', module: THRESHOLD, export: 'ThresholdActor' }],
      ['process', { mode: 'process', command: process.execPath }],
      ['container', { mode: 'container', image: 'cairn-base:local', binds: expect.arrayContaining(['/data:/data:ro']), limits: { memoryMb: 64 } }],
    ] as const) {
      const { app, actor } = oneActor(`module: ./threshold.ts\nmode: ${mode}\nconfig: { to: t, above: 1 }\nresources: { memoryMb: 64 }${mode === 'container' ? '\ncontainer: { binds: ["/data:/data:ro"] }' : ''}`);
      const loaded = await loadActor(actor, ctx, EXAMPLES);
      expect(resolveRuntime(actor, app, EXAMPLES, loaded.code)).toMatchObject(expected);
    }
  });

  it('loadActor - a built-in inline-only module cannot be hosted off the leader: a coded error says what to do', async () => {
    const { app, actor } = oneActor('module: cairn/timer\nconfig: { to: t, message: { type: x } }');
    const loaded = await loadActor(actor, ctx, EXAMPLES);
    expect(loaded.code).toBeUndefined();
    expect(loaded.config).toEqual({ to: 't', message: { type: 'x' }, everyMs: 1_000 });
    expect(() => hostedRuntime(actor, app, EXAMPLES, loaded.code)).toThrow(expect.objectContaining({ code: 'CAIRN_APP_MODULE_INVALID', message: expect.stringContaining('runs inline only') }));
  });
});

