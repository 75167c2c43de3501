import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { fileSha256 } from './file-digest.ts';
import { folderMatches, unpackFolder } from './folder-archive.ts';
import { once } from 'node:events';
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CairnError, DeployCodes } from '../../protocols/index.ts';
import { ownModulePath } from '../../kernel/runtimes/index.ts';
import { artifactObjectName } from './artifact-ref.ts';
import { cairnImportsOf, linkCairnImports } from './cairn-imports.ts';

/** Where a site gets artifacts it does not have yet: its artifact store (the cloud's, or an edge's mirror). */
export type ArtifactSource = (sha256: string) => Promise<Uint8Array | undefined>;

/** Where a site gets a delivered file's bytes (a stream: files may be big); undefined when not there yet. */
export type FileSource = (sha256: string, what: string) => Promise<ReadableStream<Uint8Array> | undefined>;

/** How long a folder moved aside, or an unfinished write, stays in the cache before a sweep removes it. */
export const STALE_GRACE_MS = 60 * 60 * 1_000;

/**
 * A site's artifacts on disk: `<dir>/sha256-<hex>.js` holds the artifact as stored (checked against
 * its digest every time it is used: a changed or truncated file is removed and fetched again),
 * `<dir>/sha256-<hex>.mjs` the same code linked to this node's Cairn, which the node imports. A
 * node whose link to the cloud is down runs from here.
 */
export class ArtifactCache {
  constructor(
    private readonly dir: string,
    private readonly source: ArtifactSource,
    private readonly log: Logger,
    /** Where this node's Cairn module `path` (as `cairn-runtime:` names it) is. */
    private readonly locate: (path: string) => string = ownCairnModule,
    private readonly files?: FileSource,
  ) {}

  /**
   * The path of a delivered file on this node (`<dir>/sha256-<hex>.file`), checked against its
   * digest (a file that does not match is removed and fetched again); fetched from the site's store
   * when missing, streamed to disk and checked before it is put in place.
   */
  async filePath(sha256: string, what: string): Promise<string> {
    const path = join(this.dir, `${artifactObjectName(sha256)}.file`);
    if (existsSync(path)) {
      if ((await fileSha256(path)) === sha256) return path;
      this.log.warn({ file: path, sha256 }, 'artifact cache: a cached file does not match its digest; removed, fetching it again');
      await rm(path, { force: true });
    }
    const data = await this.files?.(sha256, what);
    if (!data) {
      throw new CairnError(DeployCodes.ARTIFACT_UNAVAILABLE, `${what} (sha256:${sha256.slice(0, 12)}…) is not cached here and not (yet) in the artifact store this site reads; it starts once it arrives`, { details: { sha256 } });
    }
    await mkdir(this.dir, { recursive: true });
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const hash = createHash('sha256');
      const out = createWriteStream(temporary);
      for await (const piece of data as unknown as AsyncIterable<Uint8Array>) {
        hash.update(piece);
        if (!out.write(piece)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'close');
      const actual = hash.digest('hex');
      if (actual !== sha256) throw new CairnError(DeployCodes.ARTIFACT_CORRUPT, `${what} read from the artifact store has digest ${actual}, not ${sha256}`, { details: { sha256 } });
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
    return path;
  }

  /**
   * The path of a delivered folder on this node (`<dir>/sha256-<hex>.d`): its archive (a delivered
   * file, checked as filePath does) unpacked. A folder whose files no longer match the archive is
   * unpacked again (files the program added beside them are not checked).
   */
  async folderPath(sha256: string, what: string): Promise<string> {
    const archive = await this.filePath(sha256, what);
    const path = join(this.dir, `${artifactObjectName(sha256)}.d`);
    if (existsSync(path)) {
      if (await folderMatches(archive, path)) return path;
      this.log.warn({ folder: path, sha256 }, 'artifact cache: a cached folder does not match its archive; unpacking it again');
    }
    await unpackFolder(archive, path);
    return path;
  }

  /**
   * Removes what the cache holds but nothing uses: temporary files and folders of writes that did
   * not finish (`*.tmp`) and folders moved aside when they no longer matched (`*.stale`), once
   * older than `graceMs` (a program may still run in a folder moved aside). Returns their names.
   */
  async sweep(nowMs: number, graceMs: number = STALE_GRACE_MS): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names) {
      if (!name.endsWith('.tmp') && !name.endsWith('.stale')) continue;
      const path = join(this.dir, name);
      const info = await lstat(path).catch(() => undefined);
      if (!info || nowMs - info.mtimeMs < graceMs) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(name);
    }
    if (removed.length > 0) this.log.info({ dir: this.dir, removed }, 'artifact cache: removed unfinished writes and replaced folders');
    return removed;
  }

  /** The path of the artifact's module, linked and ready to import; fetched first when not cached. */
  async modulePath(sha256: string): Promise<string> {
    const bytes = (await this.cached(sha256)) ?? (await this.fetch(sha256));
    const text = new TextDecoder().decode(bytes);
    const missing = cairnImportsOf(text).filter((p) => !existsSync(this.locate(p)));
    if (missing.length > 0) {
      throw new CairnError(DeployCodes.ARTIFACT_LINK_FAILED, `artifact sha256:${sha256.slice(0, 12)}… imports Cairn module(s) ${missing.join(', ')}, which this node's Cairn does not have: run the same Cairn version where you apply and on the sites, then apply again`, { details: { sha256, missing } });
    }
    const linked = linkCairnImports(text, this.locate);
    const path = join(this.dir, `${artifactObjectName(sha256)}.mjs`);
    // Rewritten only when it differs: a module already imported from it stays valid.
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current !== linked) await writeAtomically(path, linked);
    return path;
  }

  /** The cached bytes when they still have their digest; a file that does not is removed. */
  private async cached(sha256: string): Promise<Uint8Array | undefined> {
    const file = this.rawPath(sha256);
    const bytes = await readFile(file).catch(() => undefined);
    if (bytes === undefined) return undefined;
    if (createHash('sha256').update(bytes).digest('hex') === sha256) return bytes;
    this.log.warn({ file, sha256 }, 'artifact cache: a cached artifact does not match its digest; removed, fetching it again');
    await rm(file, { force: true });
    return undefined;
  }

  private async fetch(sha256: string): Promise<Uint8Array> {
    const bytes = await this.source(sha256);
    if (bytes === undefined) {
      throw new CairnError(DeployCodes.ARTIFACT_UNAVAILABLE, `artifact sha256:${sha256.slice(0, 12)}… is not cached here and not (yet) in the artifact store this site reads; it starts once it arrives (an edge's mirror catches up when its link to the cloud is up)`, { details: { sha256 } });
    }
    await writeAtomically(this.rawPath(sha256), bytes);
    return bytes;
  }

  private rawPath(sha256: string): string {
    return join(this.dir, `${artifactObjectName(sha256)}.js`);
  }
}

/** This node's file for a `cairn-runtime:` path: beside Cairn's sources in a checkout, in `dist/` when built. */
export function ownCairnModule(path: string): string {
  return ownModulePath(import.meta.url, `../../${path}`);
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const dir = join(path, '..');
  await mkdir(dir, { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}
