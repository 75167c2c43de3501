import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactDigest, artifactDigestsOf, artifactsOf, missingBehaviourFiles, artifactRef, bundleBehaviour, imageIdHex, splitImageName, cairnImportsOf, deliveredBehaviours, isLocalModulePath, linkCairnImports, ownModuleOf, packageEntryPath, parseManifestOrThrow } from '../../../control-plane/index.ts';

describe('artifact references', () => {
  it('artifacts - a reference names a SHA-256 digest; anything else is not one', () => {
    const hex = 'ab'.repeat(32);
    expect(artifactRef(hex)).toBe(`artifact:sha256:${hex}`);
    expect(artifactDigest(artifactRef(hex))).toBe(hex);
    expect(artifactDigest('artifact:sha256:abc')).toBeUndefined();
    expect(artifactDigest('./greeter.ts')).toBeUndefined();
  });

  it('artifacts - local paths are delivered; package names are not', () => {
    for (const p of ['./a.ts', '../b/c.js', '/abs/x.mjs', 'file:///x.js']) expect(isLocalModulePath(p), p).toBe(true);
    for (const p of ['ts-pattern', '@scope/pkg', 'cairn/module']) expect(isLocalModulePath(p), p).toBe(false);
  });

  it('artifacts - which actors are delivered: local behaviours of inline, worker and process actors, not containers or packages', () => {
    const { app } = parseManifestOrThrow(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: mix }
spec:
  actors:
    - { id: a, behaviour: { module: ./a.ts } }
    - { id: b, mode: worker, behaviour: { module: ../lib/b.js } }
    - { id: c, mode: process, behaviour: { module: some-package } }
    - { id: d, mode: container, behaviour: { module: /app/d.js }, container: { image: "x:1" } }
`);
    expect(deliveredBehaviours(app, '/m/app')).toEqual([
      { index: 0, actor: 'a', field: 'behaviour.module', module: './a.ts', file: '/m/app/a.ts' },
      { index: 1, actor: 'b', field: 'behaviour.module', module: '../lib/b.js', file: '/m/lib/b.js' },
    ]);
  });
});

describe('Cairn imports in artifacts', () => {
  it('artifacts - the cairn package and its entries, and Cairn source files, are left to the node; other files are bundled', () => {
    expect(packageEntryPath('cairn')).toBe('package/index');
    expect(packageEntryPath('cairn/module')).toBe('package/module');
    expect(packageEntryPath('cairn/nope')).toBeUndefined();
    expect(ownModuleOf('kernel/index.ts')).toBe('kernel/index');
    expect(ownModuleOf('dist/kernel/runtimes/index.js')).toBe('kernel/runtimes/index');
    expect(ownModuleOf('examples/apply/greeter.ts')).toBeUndefined();
    expect(ownModuleOf('node_modules/ts-pattern/dist/index.js')).toBeUndefined();
    expect(ownModuleOf('../elsewhere/kernel/index.ts')).toBeUndefined();
  });

  it('artifacts - linking replaces each cairn-runtime import with the node’s file and touches nothing else', () => {
    const text = 'import { a } from "cairn-runtime:kernel/index";\nimport b from \'cairn-runtime:package/index\';\nconst s = "cairn-runtime is a word";\n';
    expect(cairnImportsOf(text)).toEqual(['kernel/index', 'package/index']);
    expect(linkCairnImports(text, (p) => `/opt/cairn/dist/${p}.js`)).toBe('import { a } from "/opt/cairn/dist/kernel/index.js";\nimport b from "/opt/cairn/dist/package/index.js";\nconst s = "cairn-runtime is a word";\n');
  });

  it('artifacts - the same file bundles to the same bytes and digest, whatever folder it is bundled from', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-bundle-'));
    try {
      await writeFile(join(dir, 'b.ts'), "import { defineActor } from 'cairn';\nexport default defineActor({ name: 'b', receive: () => 1 });\n");
      const first = await bundleBehaviour(join(dir, 'b.ts'));
      const second = await bundleBehaviour(join(dir, 'b.ts'));
      expect(second.sha256).toBe(first.sha256);
      const text = new TextDecoder().decode(first.bytes);
      expect(text).toContain('"cairn-runtime:package/index"');
      expect(text).not.toContain(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('what a site fetches', () => {
  it('artifacts - an app\'s actors use their behaviours, files and delivered images by digest, each once; paths and registry images are none', () => {
    const hex = (c: string) => c.repeat(64);
    const app = parseManifestOrThrow(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: uses }
spec:
  actors:
    - { id: a, behaviour: { module: "artifact:sha256:${hex('a')}" }, files: { model: "artifact:sha256:${hex('f')}", conf: ./local.json } }
    - { id: b, behaviour: { module: "artifact:sha256:${hex('a')}" } }
    - { id: c, behaviour: { module: ./c.ts } }
    - { id: d, behaviour: { module: ./d.ts }, mode: container, container: { image: "app:1", imageId: "sha256:${hex('d')}" } }
    - { id: e, behaviour: { module: ./e.ts }, mode: container, container: { image: "registry.example/app:1" } }
`).app;
    expect(artifactsOf(app.spec.actors)).toEqual([
      { kind: 'behaviour', sha256: hex('a') },
      { kind: 'file', sha256: hex('f') },
      { kind: 'image', sha256: hex('d') },
    ]);
  });
});

describe('delivered modules', () => {
  it('artifacts - a third-party module by path is delivered like a behaviour; built-in and package modules are not', () => {
    const app = parseManifestOrThrow(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: mods }
spec:
  actors:
    - { id: clock, module: cairn/timer, config: { to: t, message: { type: x }, everyMs: 1000 } }
    - { id: t, module: ./threshold.ts }
    - { id: p, module: acme-modules }
    - { id: b, behaviour: { module: ./b.ts } }
`).app;
    expect(deliveredBehaviours(app, '/apps').map((d) => [d.actor, d.field, d.file])).toEqual([
      ['t', 'module', '/apps/threshold.ts'],
      ['b', 'behaviour.module', '/apps/b.ts'],
    ]);
    // A missing module file is reported once, by the import that checks its config (parseManifestWithModules).
    expect(missingBehaviourFiles(app, '/nowhere').map((p) => [p.index, p.message])).toEqual([[3, expect.stringMatching(/^actor "b": behaviour\.module "\.\/b\.ts" resolves to \/nowhere\/b\.ts/)]]);
  });
});

describe('image artifacts', () => {
  it('artifacts - an image name splits into repository and tag, a registry port is not a tag', () => {
    expect(splitImageName('app:1')).toEqual({ repo: 'app', tag: '1' });
    expect(splitImageName('registry:5000/team/app:1.2')).toEqual({ repo: 'registry:5000/team/app', tag: '1.2' });
    expect(splitImageName('registry:5000/team/app')).toEqual({ repo: 'registry:5000/team/app', tag: 'latest' });
  });

  it('artifacts - a revision uses its behaviours by digest and its delivered images by id', () => {
    const hex = 'cd'.repeat(32);
    const { app } = parseManifestOrThrow(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: mixed }
spec:
  actors:
    - { id: a, behaviour: { module: "artifact:sha256:${'ab'.repeat(32)}" } }
    - { id: b, mode: container, behaviour: { module: /app/b.js }, container: { image: "b:1", imageId: "sha256:${hex}" } }
`);
    expect(imageIdHex(`sha256:${hex}`)).toBe(hex);
    expect(imageIdHex('b:1')).toBeUndefined();
    expect(artifactDigestsOf(app)).toEqual(['ab'.repeat(32), hex]);
  });
});
