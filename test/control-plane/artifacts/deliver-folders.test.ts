// Which folders `cairn apply` delivers and what it leaves out of them: a build context without
// what its .dockerignore excludes (but always with its Dockerfile and .dockerignore, as Docker
// sends them), a program's folder without byte code, git's folder and what its .cairnignore says.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactCache, applicationProblems, localizeArtifacts, packageFolders, parseManifestOrThrow, unpackFolder } from '../../../control-plane/index.ts';
import { pino } from 'pino';
import { readdir } from 'node:fs/promises';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cairn-deliver-folders-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

const app = (actor: string) =>
  parseManifestOrThrow(`apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: f }\nspec:\n  actors:\n    - id: a1\n${actor.replace(/^/gm, '      ')}\n`).app;

/** The paths an archive holds, unpacked. */
async function unpacked(tar: string): Promise<string[]> {
  const out = join(root, '.out');
  await unpackFolder(tar, out);
  const list = (await readdir(out, { recursive: true })) as string[];
  await rm(out, { recursive: true, force: true });
  return list.sort();
}

describe('folders apply delivers', () => {
  it('deliver folders - a build context leaves out what .dockerignore excludes, keeps its Dockerfile and .dockerignore, and honours exceptions', async () => {
    await tree({ 'ctx/Dockerfile.prod': 'FROM scratch\n', 'ctx/app.py': '', 'ctx/big.bin': 'x', 'ctx/node_modules/keep/index.js': '', 'ctx/node_modules/drop/index.js': '', 'ctx/.dockerignore': 'big.bin\nnode_modules\n!node_modules/keep\nDockerfile.prod\n.dockerignore\n' });
    const packaged = await packageFolders(app('behaviour: { module: /app/a.js }\nmode: container\ncontainer: { build: { context: ./ctx, dockerfile: Dockerfile.prod } }'), root);
    try {
      expect(packaged.problems).toEqual([]);
      expect(packaged.app.spec.actors[0]!.container!.build!.context).toMatch(/^artifact:sha256:[0-9a-f]{64}$/);
      expect(packaged.files).toEqual([expect.objectContaining({ actor: 'a1', name: 'container.build.context', path: './ctx' })]);
      expect(await unpacked(packaged.files[0]!.file)).toEqual(['.dockerignore', 'Dockerfile.prod', 'app.py', 'node_modules', 'node_modules/drop', 'node_modules/keep', 'node_modules/keep/index.js']);
    } finally {
      await packaged.release();
    }
  });

  it("deliver folders - a program's folder leaves out byte code, git's folder and what its .cairnignore excludes", async () => {
    await tree({ 'py/main.py': '', 'py/lib/util.py': '', 'py/lib/__pycache__/util.cpython-311.pyc': 'b', 'py/old.pyc': 'b', 'py/.git/HEAD': 'ref', 'py/notes.md': '', 'py/.cairnignore': 'notes.md\n' });
    const packaged = await packageFolders(app('program: { command: [/usr/bin/python3, main.py], dir: ./py }\nmode: process'), root);
    try {
      expect(await unpacked(packaged.files[0]!.file)).toEqual(['.cairnignore', 'lib', 'lib/util.py', 'main.py']);
      // Byte code written by a run changes nothing: the same digest.
      await tree({ 'py/__pycache__/main.cpython-311.pyc': 'new' });
      const again = await packageFolders(app('program: { command: [/usr/bin/python3, main.py], dir: ./py }\nmode: process'), root);
      expect(again.files[0]!.sha256).toBe(packaged.files[0]!.sha256);
      await again.release();
    } finally {
      await packaged.release();
    }
  });

  it('deliver folders - a missing folder and a file where a folder should be are problems at their field; release removes the archives', async () => {
    await tree({ 'ctx/Dockerfile': '', 'notadir': '' });
    const packaged = await packageFolders(app('program: { command: [./run], dir: ./notadir }\nmode: container\ncontainer: { build: { context: ./ctx } }'), root);
    expect(packaged.problems).toEqual([expect.objectContaining({ index: 0, field: ['program', 'dir'], code: 'CAIRN_MANIFEST_FILE_NOT_FOUND', message: expect.stringContaining(`${join(root, 'notadir')}, which is not a directory`) })]);
    const archive = packaged.files[0]!.file;
    await packaged.release();
    await expect(readdir(join(archive, '..'))).rejects.toThrow();
  });

  it('deliver folders - a site refuses a stored revision whose program runs inline, or that has a program and a behaviour', () => {
    const base = { apiVersion: 'cairn.dev/v1', kind: 'Application', metadata: { name: 'f' } };
    const inline = applicationProblems({ ...base, spec: { actors: [{ id: 'a1', program: { command: ['x'] } }] } });
    expect(inline.map((d) => `${d.path} ${d.code}`)).toEqual(['spec.actors[0].mode CAIRN_MANIFEST_SETTING_NOT_FOR_MODE']);
    const both = applicationProblems({ ...base, spec: { actors: [{ id: 'a1', mode: 'process', program: { command: ['x'] }, behaviour: { module: './a.ts' } }] } });
    expect(both.map((d) => `${d.path} ${d.code}`)).toEqual(['spec.actors[0].program CAIRN_MANIFEST_BEHAVIOUR_OR_MODULE']);
  });

  it("deliver folders - a site runs a stored revision's program.dir path from its app dir, and refuses one whose folder is not there", async () => {
    await tree({ 'py/main.py': '' });
    const cache = new ArtifactCache(join(root, 'cache'), async () => undefined, pino({ level: 'silent' }));
    const present = app('program: { command: [/usr/bin/python3, main.py], dir: ./py }\nmode: process');
    expect((await localizeArtifacts(present, present.spec.actors, cache, undefined, root)).actors[0]!.program!.dir).toBe('./py');
    const missing = app('program: { command: [/usr/bin/python3, main.py], dir: ./gone }\nmode: process');
    await expect(localizeArtifacts(missing, missing.spec.actors, cache, undefined, root)).rejects.toMatchObject({ code: 'CAIRN_APP_FILE_NOT_FOUND', message: expect.stringContaining(`${join(root, 'gone')} on this node`) });
  });
});
