import { createHash } from 'node:crypto';
import { Objm } from '@nats-io/obj';
import type { ObjectInfo, ObjectStore } from '@nats-io/obj';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Buckets, CairnError, DeployCodes } from '../../protocols/index.ts';
import { artifactObjectName, imageObjectName } from './artifact-ref.ts';

/** One stored artifact, as `cairn artifacts ls` shows it. */
export interface StoredArtifact {
  /** A bundled behaviour (named by the SHA-256 of its bytes) or a container image (by its image id). */
  readonly kind: 'behaviour' | 'image';
  /** The SHA-256 that names it, hex: of the bytes for a behaviour, the image id for an image. */
  readonly sha256: string;
  readonly size: number;
  /** What it was built from, as the manifest wrote it (e.g. `./greeter.ts`). */
  readonly source: string;
  /** When it was stored (ms since the epoch). */
  readonly storedAt: number;
}

const OBJECT = /^(image-)?sha256-([0-9a-f]{64})$/;

/**
 * The cairn_artifacts object store: artifacts by digest (object `sha256-<hex>`). On the cloud it
 * is written by `cairn apply`; a site reads it (the cloud's own, or an edge's mirror of its
 * stream). nats-server chunks each object (128 KiB) and keeps its own SHA-256 too.
 */
export class ArtifactStore {
  private constructor(private readonly os: ObjectStore) {}

  /** Opens the store on `js`'s JetStream; `create` makes it when missing (the cloud). */
  static async open(js: JetStreamClient, opts: { readonly create?: boolean } = {}): Promise<ArtifactStore> {
    const objm = new Objm(js);
    const os = opts.create ? await objm.create(Buckets.artifacts, { description: 'code and files cairn apply delivered to the sites, by digest' }) : await objm.open(Buckets.artifacts);
    return new ArtifactStore(os);
  }

  /** Whether the artifact is stored (whole: an object whose upload broke off is not). */
  async has(sha256: string): Promise<boolean> {
    const info = await this.os.info(artifactObjectName(sha256));
    return info !== null && !info.deleted;
  }

  /** Stores it unless it is there already; says whether bytes were sent. */
  async put(sha256: string, bytes: Uint8Array, source: string): Promise<{ readonly uploaded: boolean }> {
    if (await this.has(sha256)) return { uploaded: false };
    try {
      await this.os.putBlob({ name: artifactObjectName(sha256), description: source }, bytes);
    } catch (cause) {
      throw new CairnError(DeployCodes.ARTIFACT_STORE_FAILED, `storing artifact sha256:${sha256.slice(0, 12)}… (${bytes.length} bytes, from ${source}) in ${Buckets.artifacts} failed: ${(cause as Error).message}`, { cause, details: { sha256, source } });
    }
    return { uploaded: true };
  }

  /**
   * The artifact's bytes, checked against its digest; undefined when this store does not hold it
   * (yet: an edge's mirror catches up after the record). CAIRN_ARTIFACT_CORRUPT when the bytes differ.
   */
  async get(sha256: string): Promise<Uint8Array | undefined> {
    const bytes = await this.os.getBlob(artifactObjectName(sha256)).catch((err: unknown) => {
      // The client checks the object's own digest as it reads: a mismatch is corruption, not absence.
      if (/corrupt|digests do not match/i.test((err as Error).message)) throw corrupt(sha256, (err as Error).message);
      throw err;
    });
    if (bytes === null) return undefined;
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw corrupt(sha256, `its bytes have digest ${actual}`);
    return bytes;
  }

  /** Every stored artifact, by digest. */
  async list(): Promise<StoredArtifact[]> {
    return (await this.os.list()).flatMap((info: ObjectInfo) => {
      const m = OBJECT.exec(info.name);
      return m && !info.deleted ? [{ kind: m[1] ? ('image' as const) : ('behaviour' as const), sha256: m[2]!, size: info.size, source: info.description ?? '', storedAt: Date.parse(info.mtime) }] : [];
    });
  }

  /** Deletes one (garbage collection: no kept revision uses it). */
  async delete(artifact: Pick<StoredArtifact, 'kind' | 'sha256'>): Promise<void> {
    await this.os.delete(artifact.kind === 'image' ? imageObjectName(artifact.sha256) : artifactObjectName(artifact.sha256));
  }

  /** Whether an image is stored (whole), by its id's hex. */
  async hasImage(idHex: string): Promise<boolean> {
    const info = await this.os.info(imageObjectName(idHex));
    return info !== null && !info.deleted;
  }

  /**
   * Stores an image (the tar `docker save` writes) read from `data` unless it is stored already;
   * nats-server keeps it in 128 KiB chunks, so it never has to fit in memory.
   */
  async putImage(idHex: string, data: () => Promise<ReadableStream<Uint8Array>>, source: string): Promise<{ readonly uploaded: boolean; readonly size: number }> {
    const name = imageObjectName(idHex);
    const have = await this.os.info(name);
    if (have !== null && !have.deleted) return { uploaded: false, size: have.size };
    try {
      const info = await this.os.put({ name, description: source }, await data());
      return { uploaded: true, size: info.size };
    } catch (cause) {
      throw new CairnError(DeployCodes.ARTIFACT_STORE_FAILED, `storing image ${source} (sha256:${idHex.slice(0, 12)}…) in ${Buckets.artifacts} failed: ${(cause as Error).message}`, { cause, details: { image: source, id: idHex } });
    }
  }

  /** A stored image as a stream (undefined when not stored here yet); nats-server's digest of it is checked as it is read. */
  async getImage(idHex: string): Promise<{ readonly data: ReadableStream<Uint8Array>; readonly done: Promise<Error | null> } | undefined> {
    const result = await this.os.get(imageObjectName(idHex));
    return result === null ? undefined : { data: result.data, done: result.error };
  }
}

function corrupt(sha256: string, why: string): CairnError {
  return new CairnError(DeployCodes.ARTIFACT_CORRUPT, `artifact sha256:${sha256.slice(0, 12)}… read from ${Buckets.artifacts} is corrupt: ${why}; apply the application again to store it anew`, { details: { sha256 } });
}
