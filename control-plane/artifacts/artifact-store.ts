import { createHash } from 'node:crypto';
import { Objm } from '@nats-io/obj';
import type { ObjectInfo, ObjectStore } from '@nats-io/obj';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Buckets, CairnError, DeployCodes } from '../../protocols/index.ts';
import { artifactObjectName, fileObjectName, imageObjectName } from './artifact-ref.ts';
import { ChunkStore, chunkArrival } from './chunk-store.ts';
import type { ChunkArrival, ChunkIndex } from './chunk-store.ts';

/** One stored artifact, as `cairn artifacts ls` shows it. */
export interface StoredArtifact {
  /** A bundled behaviour or a delivered file (named by the SHA-256 of its bytes), or a container image (by its image id). */
  readonly kind: 'behaviour' | 'file' | 'image';
  /** The SHA-256 that names it, hex: of the bytes for a behaviour or a file, the image id for an image. */
  readonly sha256: string;
  readonly size: number;
  /** What it was built from, as the manifest wrote it (e.g. `./greeter.ts`). */
  readonly source: string;
  /** When it was stored (ms since the epoch). */
  readonly storedAt: number;
}

const OBJECT = /^(image-|file-)?sha256-([0-9a-f]{64})$/;
/** Metadata `format` of an object that holds a chunk index rather than the bytes. */
const CHUNKED = 'chunks';
const KINDS = { 'image-': 'image', 'file-': 'file' } as const;

/** The object an artifact of a kind is stored under. */
function objectName(kind: StoredArtifact['kind'], hex: string): string {
  return kind === 'image' ? imageObjectName(hex) : kind === 'file' ? fileObjectName(hex) : artifactObjectName(hex);
}

/**
 * The cairn_artifacts object store: artifacts by digest (object `sha256-<hex>`). On the cloud it
 * is written by `cairn apply`; a site reads it (the cloud's own, or an edge's mirror of its
 * stream). nats-server chunks each object (128 KiB) and keeps its own SHA-256 too.
 */
export class ArtifactStore {
  private constructor(
    private readonly os: ObjectStore,
    private readonly chunks: ChunkStore,
  ) {}

  /** Opens the store on `js`'s JetStream; `create` makes it (and the chunk stream) when missing (the cloud). */
  static async open(js: JetStreamClient, opts: { readonly create?: boolean } = {}): Promise<ArtifactStore> {
    const objm = new Objm(js);
    const os = opts.create ? await objm.create(Buckets.artifacts, { description: 'code and files cairn apply delivered to the sites, by digest' }) : await objm.open(Buckets.artifacts);
    const jsm = await js.jetstreamManager();
    return new ArtifactStore(os, opts.create ? await ChunkStore.create(js, jsm) : new ChunkStore(js, jsm));
  }

  /** Whether the artifact is stored (whole: an object whose upload broke off is not). */
  async has(sha256: string): Promise<boolean> {
    const info = await this.os.info(artifactObjectName(sha256));
    return info !== null && !info.deleted;
  }

  /**
   * Stores a behaviour bundle unless it is there already, as chunks (a package two bundles share is
   * mostly the same chunks, stored once) and an index under `sha256-<hex>`; says what was sent.
   */
  async put(sha256: string, bytes: Uint8Array, source: string): Promise<{ readonly uploaded: boolean; readonly sentBytes: number }> {
    if ((await this.stored(artifactObjectName(sha256))) !== undefined) return { uploaded: false, sentBytes: 0 };
    try {
      const { index, sentBytes } = await this.chunks.put(
        (async function* () {
          yield bytes;
        })(),
      );
      await this.os.putBlob({ name: artifactObjectName(sha256), description: source, metadata: { size: String(index.size), chunks: String(index.chunks.length), format: CHUNKED } }, new TextEncoder().encode(JSON.stringify(index)));
      return { uploaded: true, sentBytes };
    } catch (cause) {
      if (cause instanceof CairnError) throw cause;
      throw new CairnError(DeployCodes.ARTIFACT_STORE_FAILED, `storing artifact sha256:${sha256.slice(0, 12)}… (${bytes.length} bytes, from ${source}) in ${Buckets.artifacts} failed: ${(cause as Error).message}`, { cause, details: { sha256, source } });
    }
  }

  /**
   * The artifact's bytes, checked against its digest; undefined when this store does not hold it, or
   * not all its chunks (yet: an edge's mirrors catch up after the record). CAIRN_ARTIFACT_CORRUPT when
   * the bytes differ. A bundle an older Cairn stored whole is read whole.
   */
  async get(sha256: string): Promise<Uint8Array | undefined> {
    const name = artifactObjectName(sha256);
    const info = await this.os.info(name);
    if (info === null || info.deleted) return undefined;
    let bytes: Uint8Array;
    if (info.metadata?.['format'] === CHUNKED) {
      const blob = await this.os.getBlob(name);
      if (blob === null) return undefined;
      const index = JSON.parse(new TextDecoder().decode(blob)) as ChunkIndex;
      if ((await this.chunks.arrived(index)).firstMissing !== undefined) return undefined;
      const pieces: Uint8Array[] = [];
      for await (const piece of this.chunks.stream(index, `artifact sha256:${sha256.slice(0, 12)}…`) as unknown as AsyncIterable<Uint8Array>) pieces.push(piece);
      bytes = Buffer.concat(pieces);
    } else {
      const whole = await this.os.getBlob(name).catch((err: unknown) => {
        // The client checks the object's own digest as it reads: a mismatch is corruption, not absence.
        if (/corrupt|digests do not match/i.test((err as Error).message)) throw corrupt(sha256, (err as Error).message);
        throw err;
      });
      if (whole === null) return undefined;
      bytes = whole;
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw corrupt(sha256, `its bytes have digest ${actual}`);
    return bytes;
  }

  /**
   * How much of one artifact this site's store holds: the bytes of the chunks its index lists that
   * are here, of all (a behaviour stored whole counts as all here). Undefined while its index has
   * not arrived (the size is not known yet).
   */
  async arrival(kind: StoredArtifact['kind'], sha256: string, present?: ReadonlySet<string>): Promise<ChunkArrival | undefined> {
    const name = objectName(kind, sha256);
    const info = await this.os.info(name);
    if (info === null || info.deleted) return undefined;
    if (kind === 'behaviour' && info.metadata?.['format'] !== CHUNKED) return { bytes: info.size, totalBytes: info.size };
    const blob = await this.os.getBlob(name);
    if (blob === null) return undefined;
    const index = JSON.parse(new TextDecoder().decode(blob)) as ChunkIndex;
    const held = present ?? (await this.chunks.present());
    return chunkArrival(index, (hex) => held.has(hex));
  }

  /** The digests of the chunks this site's store holds, listed once (see `arrival`). */
  presentChunks(): Promise<ReadonlySet<string>> {
    return this.chunks.present();
  }

  /** Every stored artifact, by digest. */
  async list(): Promise<StoredArtifact[]> {
    return (await this.os.list()).flatMap((info: ObjectInfo) => {
      const m = OBJECT.exec(info.name);
      // A chunked artifact's object is its chunk index: its own size is in the metadata.
      const size = Number(info.metadata?.['size'] ?? info.size);
      const kind = m?.[1] ? KINDS[m[1] as keyof typeof KINDS] : 'behaviour';
      return m && !info.deleted ? [{ kind, sha256: m[2]!, size, source: info.description ?? '', storedAt: Date.parse(info.mtime) }] : [];
    });
  }

  /** Deletes one (garbage collection: no kept revision uses it). */
  async delete(artifact: Pick<StoredArtifact, 'kind' | 'sha256'>): Promise<void> {
    await this.os.delete(objectName(artifact.kind, artifact.sha256));
  }

  /**
   * Deletes the chunks no stored index (a behaviour's, a file's, an image's) uses any more, once
   * past `graceMs` (run after the indexes of unused artifacts were deleted). Edges' mirrors keep theirs.
   */
  async collectChunks(now: number, graceMs: number): Promise<number> {
    const keep = new Set<string>();
    for (const info of await this.os.list()) {
      if (info.deleted || !(info.metadata?.['chunks'] !== undefined)) continue;
      const blob = await this.os.getBlob(info.name);
      if (blob === null) continue;
      for (const [hex] of (JSON.parse(new TextDecoder().decode(blob)) as ChunkIndex).chunks) keep.add(hex);
    }
    return this.chunks.collect(keep, now, graceMs);
  }

  /**
   * Stores an image (the tar `docker save` writes, read from `data`) unless it is stored already:
   * as content-defined chunks in CAIRN_CHUNKS (only those not stored yet are sent: a new version
   * whose lower layers are unchanged sends about its changed layers) and an index of them under
   * `image-sha256-<id>`. Says what was sent.
   */
  async putImage(idHex: string, data: () => Promise<AsyncIterable<Uint8Array>>, source: string): Promise<{ readonly uploaded: boolean; readonly size: number; readonly sentBytes: number }> {
    return this.putChunked('image', idHex, data, source);
  }

  /** Stores a file (a model, a config file) as chunks, as putImage does, under the digest of its bytes. */
  async putFile(sha256: string, data: () => Promise<AsyncIterable<Uint8Array>>, source: string): Promise<{ readonly uploaded: boolean; readonly size: number; readonly sentBytes: number }> {
    return this.putChunked('file', sha256, data, source);
  }

  /**
   * The object's info when it is stored whole: its record, and for one stored as chunks every chunk
   * its index lists (the chunk stream's limits, or a hand, may have removed some). Undefined
   * otherwise, so that storing it again sends what is missing (chunks present are not sent again).
   */
  private async stored(name: string): Promise<ObjectInfo | undefined> {
    const info = await this.os.info(name);
    if (info === null || info.deleted) return undefined;
    const chunked = info.metadata?.['format'] === CHUNKED || info.metadata?.['chunks'] !== undefined;
    if (!chunked) return info;
    const blob = await this.os.getBlob(name);
    if (blob === null) return undefined;
    const index = JSON.parse(new TextDecoder().decode(blob)) as ChunkIndex;
    return (await this.chunks.arrived(index)).firstMissing === undefined ? info : undefined;
  }

  private async putChunked(kind: 'image' | 'file', idHex: string, data: () => Promise<AsyncIterable<Uint8Array>>, source: string): Promise<{ readonly uploaded: boolean; readonly size: number; readonly sentBytes: number }> {
    const name = objectName(kind, idHex);
    const have = await this.stored(name);
    if (have !== undefined) return { uploaded: false, size: Number(have.metadata?.['size'] ?? have.size), sentBytes: 0 };
    try {
      const { index, sentBytes } = await this.chunks.put(await data());
      await this.os.putBlob({ name, description: source, metadata: { size: String(index.size), chunks: String(index.chunks.length) } }, new TextEncoder().encode(JSON.stringify(index)));
      return { uploaded: true, size: index.size, sentBytes };
    } catch (cause) {
      if (cause instanceof CairnError) throw cause;
      throw new CairnError(DeployCodes.ARTIFACT_STORE_FAILED, `storing ${kind} ${source} (sha256:${idHex.slice(0, 12)}…) in ${Buckets.artifacts} failed: ${(cause as Error).message}`, { cause, details: { source, id: idHex } });
    }
  }

  /**
   * A stored image as a stream of its bytes, chunk after chunk; undefined when its index is not
   * here yet. CAIRN_ARTIFACT_UNAVAILABLE when some of its chunks are not (an edge's mirror of the
   * chunks lags): checked before anything is read, so a load never starts half-way.
   */
  async getImage(idHex: string, image: string): Promise<ReadableStream<Uint8Array> | undefined> {
    return this.getChunked('image', idHex, `image ${image}`);
  }

  /** A stored file as a stream of its bytes, as getImage. */
  async getFile(sha256: string, what: string): Promise<ReadableStream<Uint8Array> | undefined> {
    return this.getChunked('file', sha256, what);
  }

  private async getChunked(kind: 'image' | 'file', idHex: string, what: string): Promise<ReadableStream<Uint8Array> | undefined> {
    const blob = await this.os.getBlob(objectName(kind, idHex));
    if (blob === null) return undefined;
    const index = JSON.parse(new TextDecoder().decode(blob)) as ChunkIndex;
    const { bytes, totalBytes, firstMissing } = await this.chunks.arrived(index);
    if (firstMissing !== undefined) {
      throw new CairnError(DeployCodes.ARTIFACT_UNAVAILABLE, `${what}: ${mebibytes(bytes)} of ${mebibytes(totalBytes)} MiB are in this site's store; chunk ${firstMissing + 1} of its ${index.chunks.length} is not yet (an edge's mirror catches up while its link is up)`, { details: { what, chunk: firstMissing, bytes, totalBytes } });
    }
    return this.chunks.stream(index, what);
  }
}

/** Bytes as MiB with one decimal. */
function mebibytes(bytes: number): string {
  return (bytes / 1_048_576).toFixed(1);
}

function corrupt(sha256: string, why: string): CairnError {
  return new CairnError(DeployCodes.ARTIFACT_CORRUPT, `artifact sha256:${sha256.slice(0, 12)}… read from ${Buckets.artifacts} is corrupt: ${why}; apply the application again to store it anew`, { details: { sha256 } });
}
