// A folder as one artifact: the same folder archives to the same bytes (so an unchanged folder
// uploads nothing), unpacks to what was archived, and a cached copy that changed is noticed.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile, chmod, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactCache, archiveFolder, folderEntries, folderMatches, unpackFolder } from '../../../control-plane/index.ts';
import { readdir, utimes } from 'node:fs/promises';
import { pino } from 'pino';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cairn-folder-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function tree(dir: string, files: Record<string, string>): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

describe('folder archives', () => {
  it('folder archive - the same files give the same digest whatever their times, owners or creation order', async () => {
    const a = await tree(join(root, 'a'), { 'main.py': 'print(1)\n', 'lib/util.py': 'X = 2\n', 'lib/data/z.txt': 'z' });
    const b = await tree(join(root, 'b'), { 'lib/data/z.txt': 'z', 'main.py': 'print(1)\n', 'lib/util.py': 'X = 2\n' });
    const first = await archiveFolder(a, join(root, 'a.tar'));
    // Touched later: a new mtime, same bytes.
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(join(b, 'main.py'), 'print(1)\n');
    const second = await archiveFolder(b, join(root, 'b.tar'));
    expect(second.sha256).toBe(first.sha256);
    expect(first.entries).toBe(5); // lib, lib/data, lib/data/z.txt, lib/util.py, main.py
    expect(createHash('sha256').update(await readFile(join(root, 'a.tar'))).digest('hex')).toBe(first.sha256);
  });

  it('folder archive - a changed byte, a new file or a file made executable changes the digest', async () => {
    const dir = await tree(join(root, 'p'), { 'main.py': 'print(1)\n' });
    const base = (await archiveFolder(dir, join(root, '0.tar'))).sha256;
    await writeFile(join(dir, 'main.py'), 'print(2)\n');
    const changed = (await archiveFolder(dir, join(root, '1.tar'))).sha256;
    await writeFile(join(dir, 'extra.txt'), '');
    const added = (await archiveFolder(dir, join(root, '2.tar'))).sha256;
    await chmod(join(dir, 'main.py'), 0o755);
    const executable = (await archiveFolder(dir, join(root, '3.tar'))).sha256;
    expect(new Set([base, changed, added, executable]).size).toBe(4);
  });

  it('folder archive - entries are sorted by path and a skipped folder takes its content with it', async () => {
    const dir = await tree(join(root, 'ctx'), { 'b.txt': '', 'a/x.txt': '', 'node_modules/m/index.js': '', Dockerfile: '' });
    expect((await folderEntries(dir, (p) => p === 'node_modules')).map((e) => e.path)).toEqual(['Dockerfile', 'a', 'a/x.txt', 'b.txt']);
  });

  it('folder archive - a link to a file is archived as the file; a link to a folder and a broken link are refused by name', async () => {
    const dir = await tree(join(root, 'l'), { 'real.txt': 'hello', 'sub/inner.txt': '' });
    await symlink(join(dir, 'real.txt'), join(dir, 'alias.txt'));
    expect((await folderEntries(dir)).find((e) => e.path === 'alias.txt')).toEqual({ path: 'alias.txt', type: 'file', size: 5, executable: false });
    await symlink(join(dir, 'sub'), join(dir, 'subdir-link'));
    await expect(folderEntries(dir)).rejects.toMatchObject({ code: 'CAIRN_FOLDER_UNARCHIVABLE', message: expect.stringContaining('subdir-link is a symbolic link to a directory') });
    await rm(join(dir, 'subdir-link'));
    await symlink(join(dir, 'gone'), join(dir, 'dangling'));
    await expect(folderEntries(dir)).rejects.toMatchObject({ code: 'CAIRN_FOLDER_UNARCHIVABLE', message: expect.stringContaining('dangling is a broken symbolic link') });
  });

  it('folder archive - a missing folder is refused', async () => {
    await expect(folderEntries(join(root, 'nope'))).rejects.toMatchObject({ code: 'CAIRN_FOLDER_UNARCHIVABLE' });
  });

  it('folder archive - unpacked, the folder has the same files, modes and empty folders, and archives to the same digest', async () => {
    const dir = await tree(join(root, 'src'), { 'run.sh': '#!/bin/sh\necho hi\n', 'lib/a.py': 'A = 1\n' });
    await chmod(join(dir, 'run.sh'), 0o755);
    await mkdir(join(dir, 'empty'));
    const archived = await archiveFolder(dir, join(root, 'src.tar'));
    const out = join(root, 'out');
    await unpackFolder(join(root, 'src.tar'), out);
    expect(await readFile(join(out, 'lib/a.py'), 'utf8')).toBe('A = 1\n');
    expect((await stat(join(out, 'run.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(out, 'lib/a.py'))).mode & 0o777).toBe(0o644);
    expect((await stat(join(out, 'empty'))).isDirectory()).toBe(true);
    expect((await archiveFolder(out, join(root, 'again.tar'))).sha256).toBe(archived.sha256);
  });

  it('folder archive - a cached copy matches until one of its files changes or goes; files added beside them do not matter', async () => {
    const dir = await tree(join(root, 'src'), { 'main.py': 'print(1)\n', 'lib/a.py': 'A = 1\n' });
    const tar = join(root, 'src.tar');
    await archiveFolder(dir, tar);
    const out = join(root, 'out');
    await unpackFolder(tar, out);
    expect(await folderMatches(tar, out)).toBe(true);
    await tree(out, { '__pycache__/a.cpython-311.pyc': 'bytecode' });
    expect(await folderMatches(tar, out)).toBe(true);
    await writeFile(join(out, 'lib/a.py'), 'A = 2\n');
    expect(await folderMatches(tar, out)).toBe(false);
    await unpackFolder(tar, out);
    expect(await readFile(join(out, 'lib/a.py'), 'utf8')).toBe('A = 1\n');
    await rm(join(out, 'main.py'));
    expect(await folderMatches(tar, out)).toBe(false);
  });

  it('folder archive - an archive whose entry climbs out of the folder is refused as corrupt and writes nothing outside', async () => {
    const tar = join(root, 'evil.tar');
    const p = pack();
    p.entry({ name: '../escaped.txt', type: 'file' }, 'owned');
    p.finalize();
    await new Promise<void>((done, fail) => p.pipe(createWriteStream(tar)).on('close', done).on('error', fail));
    await expect(unpackFolder(tar, join(root, 'out'))).rejects.toMatchObject({ code: 'CAIRN_ARTIFACT_CORRUPT' });
    await expect(stat(join(root, 'escaped.txt'))).rejects.toThrow();
  });

  it('folder archive - unpacks of one archive at once leave one folder; a copy that changed is moved aside, not deleted under a running program', async () => {
    const dir = await tree(join(root, 'src'), { 'main.py': 'print(1)\n', 'lib/a.py': 'A = 1\n' });
    const tar = join(root, 'src.tar');
    await archiveFolder(dir, tar);
    const cache = join(root, 'cache');
    await mkdir(cache);
    const out = join(cache, 'sha256-x.d');
    await Promise.all([unpackFolder(tar, out), unpackFolder(tar, out), unpackFolder(tar, out)]);
    expect(await folderMatches(tar, out)).toBe(true);
    expect(await readdir(cache)).toEqual(['sha256-x.d']);
    await writeFile(join(out, 'main.py'), 'tampered\n');
    await unpackFolder(tar, out);
    expect(await readFile(join(out, 'main.py'), 'utf8')).toBe('print(1)\n');
    const names = await readdir(cache);
    expect(names).toHaveLength(2);
    const stale = names.find((n) => n.endsWith('.stale'))!;
    expect(await readFile(join(cache, stale, 'main.py'), 'utf8')).toBe('tampered\n');
  });

  it('folder archive - a sweep of the cache removes unfinished writes and folders moved aside once past the grace, and nothing else', async () => {
    const cache = join(root, 'cache');
    await tree(cache, { 'sha256-a.file': 'keep', 'sha256-b.d/main.py': 'keep', 'sha256-b.d.1.ab.stale/main.py': 'old', 'sha256-c.file.1.cd.tmp': 'half', 'sha256-d.d.2.ef.tmp/x': 'half' });
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    for (const name of ['sha256-b.d.1.ab.stale', 'sha256-c.file.1.cd.tmp']) await utimes(join(cache, name), twoHoursAgo, twoHoursAgo);
    const swept = new ArtifactCache(cache, async () => undefined, pino({ level: 'silent' }));
    expect((await swept.sweep(Date.now())).sort()).toEqual(['sha256-b.d.1.ab.stale', 'sha256-c.file.1.cd.tmp']);
    // The recent unfinished write may still be going on.
    expect((await readdir(cache)).sort()).toEqual(['sha256-a.file', 'sha256-b.d', 'sha256-d.d.2.ef.tmp']);
  });
});
