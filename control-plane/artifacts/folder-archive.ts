import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { CairnError, DeployCodes } from '../../protocols/index.ts';
import { fileSha256 } from './file-digest.ts';

/*
 * A folder as one artifact: a tar archive written the same way every time (entries sorted by path,
 * no owner, no times, modes 0644/0755), so equal folders have equal digests and an unchanged folder
 * uploads nothing. It travels as a delivered file (content-defined chunks: a changed file sends
 * about its own size) and is unpacked on the site. tar-stream writes and reads the format.
 */

/** One entry of a folder as archived: a directory, or a file with its size and whether it is executable. */
export interface FolderEntry {
  /** Relative, `/`-separated. */
  readonly path: string;
  readonly type: 'directory' | 'file';
  readonly size: number;
  readonly executable: boolean;
}

/** Which relative paths (`/`-separated) to leave out; a directory left out takes what it holds. */
export type FolderFilter = (path: string, directory: boolean) => boolean;

/**
 * The entries of `dir`, sorted by path (byte order), that `skip` does not drop. A symbolic link to
 * a file is archived as that file; one to a directory, and anything that is no file or directory
 * (socket, fifo, device), is refused with CAIRN_FOLDER_UNARCHIVABLE naming it: nothing is left out
 * silently.
 */
export async function folderEntries(dir: string, skip: FolderFilter = () => false): Promise<FolderEntry[]> {
  const root = await stat(dir).catch(() => undefined);
  if (!root?.isDirectory()) throw new CairnError(DeployCodes.FOLDER_UNARCHIVABLE, `${dir} ${root ? 'is not a directory' : 'does not exist'}`, { details: { dir } });
  const out: FolderEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort(byteOrder);
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const full = join(dir, ...path.split('/'));
      const link = await lstat(full);
      const info = link.isSymbolicLink() ? await stat(full).catch(() => undefined) : link;
      if (skip(path, (info?.isDirectory() ?? false) && !link.isSymbolicLink())) continue;
      if (info?.isDirectory() && !link.isSymbolicLink()) {
        out.push({ path, type: 'directory', size: 0, executable: true });
        await walk(path);
      } else if (info?.isFile()) {
        out.push({ path, type: 'file', size: info.size, executable: (info.mode & 0o111) !== 0 });
      } else {
        const what = link.isSymbolicLink() ? (info ? 'a symbolic link to a directory' : 'a broken symbolic link') : 'neither a file nor a directory';
        throw new CairnError(DeployCodes.FOLDER_UNARCHIVABLE, `${full} is ${what}, which is not delivered: replace it with what it points to, or leave it out of the folder`, { details: { dir, path } });
      }
    }
  };
  await walk('');
  return out;
}

/** The archive of `entries` of `dir` as a stream (tar-stream's pack, fed one entry at a time). */
export async function packFolder(dir: string, entries: readonly FolderEntry[]): Promise<Readable> {
  const { pack: tarPack } = await import('tar-stream');
  const pack = tarPack();
  void (async () => {
    try {
      for (const e of entries) {
        const header = { name: e.type === 'directory' ? `${e.path}/` : e.path, size: e.size, mode: e.executable ? 0o755 : 0o644, mtime: new Date(0), type: e.type, uid: 0, gid: 0, uname: '', gname: '' };
        if (e.type === 'directory') {
          await new Promise<void>((done, fail) => pack.entry(header, (err) => (err ? fail(err) : done())));
          continue;
        }
        const sink = pack.entry(header);
        await pipeline(createReadStream(join(dir, ...e.path.split('/'))), sink);
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  return pack as unknown as Readable;
}

/**
 * Archives `dir` into the file `out` and returns the archive's SHA-256 and size. A file that
 * changes size while it is read fails the archive (tar-stream checks each entry's size).
 */
export async function archiveFolder(dir: string, out: string, skip?: FolderFilter): Promise<{ readonly sha256: string; readonly size: number; readonly entries: number }> {
  try {
    const entries = await folderEntries(dir, skip);
    const hash = createHash('sha256');
    let size = 0;
    const counted = new Transform({
      transform(piece: Buffer, _encoding, done) {
        hash.update(piece);
        size += piece.length;
        done(null, piece);
      },
    });
    await pipeline(await packFolder(dir, entries), counted, createWriteStream(out));
    return { sha256: hash.digest('hex'), size, entries: entries.length };
  } catch (err) {
    if (err instanceof CairnError) throw err;
    // A file that cannot be read, went away, or changed size while it was read.
    throw new CairnError(DeployCodes.FOLDER_UNARCHIVABLE, `${dir} could not be archived: ${(err as Error).message}`, { cause: err, details: { dir } });
  }
}

/**
 * Unpacks the archive `tarFile` into the directory `dir`, written beside it, then put in place. A
 * `dir` that is there already and matches the archive (another unpack of it finished first) is
 * kept; one that does not is moved aside to `<dir>.<pid>.<random>.stale`, never deleted here (a
 * program may still run in it; ArtifactCache.sweep removes it later). Only files and directories
 * with relative paths inside `dir` are accepted; anything else is CAIRN_ARTIFACT_CORRUPT.
 */
export async function unpackFolder(tarFile: string, dir: string): Promise<void> {
  const temporary = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await mkdir(temporary, { recursive: true });
  try {
    await forEachEntry(tarFile, async (path, type, mode, body) => {
      const target = join(temporary, ...path.split('/'));
      if (type === 'directory') {
        await mkdir(target, { recursive: true });
        return;
      }
      await mkdir(join(target, '..'), { recursive: true });
      await pipeline(body, createWriteStream(target));
      await chmod(target, mode & 0o111 ? 0o755 : 0o644);
    });
    if (await renamed(temporary, dir)) return;
    if (await folderMatches(tarFile, dir)) return;
    await rename(dir, `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.stale`).catch(() => undefined);
    await rename(temporary, dir);
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/**
 * Whether `dir` holds every entry of the archive `tarFile` with the same bytes (files the program
 * wrote there besides them, such as Python's __pycache__, do not matter).
 */
export async function folderMatches(tarFile: string, dir: string): Promise<boolean> {
  let same = true;
  await forEachEntry(tarFile, async (path, type, _mode, body) => {
    const target = join(dir, ...path.split('/'));
    if (!same) return void body.resume();
    if (type === 'directory') {
      same = (await stat(target).catch(() => undefined))?.isDirectory() ?? false;
      return;
    }
    const archived = createHash('sha256');
    for await (const piece of body) archived.update(piece as Uint8Array);
    const onDisk = (await stat(target).catch(() => undefined))?.isFile() ? await fileSha256(target) : undefined;
    same = onDisk === archived.digest('hex');
  });
  return same;
}

/** Renames `from` to `to`; false when `to` is a folder there already. */
async function renamed(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw err;
  }
}

type EntryVisitor = (path: string, type: 'file' | 'directory', mode: number, body: Readable) => Promise<void>;

async function forEachEntry(tarFile: string, visit: EntryVisitor): Promise<void> {
  const { extract } = await import('tar-stream');
  const reader = extract();
  const input = createReadStream(tarFile);
  input.on('error', (err) => reader.destroy(err));
  input.pipe(reader);
  try {
    for await (const entry of reader) {
      const { name, type, mode } = entry.header;
      const path = safePath(name, tarFile);
      if (type !== 'file' && type !== 'directory') throw corrupt(tarFile, `entry ${name} is a ${type ?? 'entry of no type'}`);
      await visit(path, type, mode ?? 0o644, entry as unknown as Readable);
      entry.resume();
    }
  } finally {
    input.destroy();
    reader.destroy();
  }
}

/** A relative path with no `.` or `..` parts, without a trailing `/`; else the archive is refused. */
function safePath(name: string, tarFile: string): string {
  const trimmed = name.endsWith('/') ? name.slice(0, -1) : name;
  const parts = trimmed.split('/');
  if (trimmed === '' || posix.isAbsolute(trimmed) || trimmed.includes('\\') || trimmed.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw corrupt(tarFile, `entry ${JSON.stringify(name)} is not a relative path inside the folder`);
  }
  return trimmed;
}

function corrupt(tarFile: string, why: string): CairnError {
  return new CairnError(DeployCodes.ARTIFACT_CORRUPT, `folder archive ${tarFile}: ${why}`, { details: { file: tarFile } });
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
