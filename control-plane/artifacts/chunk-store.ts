import { createHash } from 'node:crypto';
import { DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { CairnError, DeployCodes, Streams, Subjects } from '../../protocols/index.ts';
import { contentChunks } from './content-chunks.ts';

/** What an artifact stored as chunks is: its chunks in order, by digest and size. */
export interface ChunkIndex {
  readonly v: 1;
  readonly size: number;
  readonly chunks: readonly (readonly [sha256: string, size: number])[];
}

/** What storing one artifact as chunks sent: bytes of chunks the store did not hold yet, of all. */
export interface ChunkedPut {
  readonly index: ChunkIndex;
  readonly sentBytes: number;
}

/** JetStream's "no message found": the stream does not hold that chunk. */
const NO_MESSAGE = 10037;

/** JetStream's "wrong last sequence": the chunk's subject holds it already. */
const WRONG_LAST_SEQUENCE = 10071;

/** The cloud's chunk stream: one message per distinct chunk (a chunk stored again is refused, not repeated). */
export function chunksStreamConfig(): Partial<StreamConfig> & { name: string } {
  return {
    name: Streams.chunks,
    subjects: [Subjects.chunk('*')],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_msgs_per_subject: 1,
    num_replicas: 1,
    allow_direct: true,
  };
}

/**
 * Content-addressed chunks in JetStream (CAIRN_CHUNKS): an artifact is cut into content-defined
 * chunks and each chunk the stream does not hold yet is stored once, under `cairn.chunk.<sha256>`.
 * A new version of an image or a big file therefore stores, and sends to each edge's mirror, only
 * the chunks that changed.
 */
export class ChunkStore {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  /** Creates the stream when missing (the cloud). */
  static async create(js: JetStreamClient, jsm: JetStreamManager): Promise<ChunkStore> {
    const config = chunksStreamConfig();
    await jsm.streams.info(config.name).catch(() => jsm.streams.add(config));
    return new ChunkStore(js, jsm);
  }

  /** Cuts `source` into chunks and stores those not stored yet. */
  async put(source: AsyncIterable<Uint8Array>): Promise<ChunkedPut> {
    const chunks: [string, number][] = [];
    let size = 0;
    let sentBytes = 0;
    for await (const chunk of contentChunks(source)) {
      const hex = createHash('sha256').update(chunk).digest('hex');
      chunks.push([hex, chunk.length]);
      size += chunk.length;
      if (await this.has(hex)) continue;
      try {
        // Only where the subject is empty: two applies storing one chunk store it once.
        await this.js.publish(Subjects.chunk(hex), chunk, { expect: { lastSubjectSequence: 0 } });
        sentBytes += chunk.length;
      } catch (err) {
        if (!(err instanceof JetStreamApiError && err.code === WRONG_LAST_SEQUENCE)) {
          throw new CairnError(DeployCodes.ARTIFACT_STORE_FAILED, `storing a chunk (sha256:${hex.slice(0, 12)}…, ${chunk.length} bytes) in ${Streams.chunks} failed: ${(err as Error).message}`, { cause: err, details: { chunk: hex } });
        }
      }
    }
    return { index: { v: 1, size, chunks }, sentBytes };
  }

  /** Whether the stream holds a chunk (asked without reading it). */
  async has(hex: string): Promise<boolean> {
    const subject = Subjects.chunk(hex);
    const info = await this.jsm.streams.info(Streams.chunks, { subjects_filter: subject }).catch(() => undefined);
    return (info?.state.subjects?.[subject] ?? 0) > 0;
  }

  /** One chunk's bytes; undefined when this stream does not hold it (other errors are thrown). */
  read(hex: string): Promise<Uint8Array | undefined> {
    return this.jsm.streams
      .getMessage(Streams.chunks, { last_by_subj: Subjects.chunk(hex) })
      .then((m) => m?.data)
      .catch((err: unknown) => {
        if (err instanceof JetStreamApiError && err.code === NO_MESSAGE) return undefined;
        throw err;
      });
  }

  /**
   * The whole artifact, chunk by chunk in order (never all in memory), each checked against its
   * digest. A chunk this stream does not hold (an edge's mirror has not caught up) errors the
   * stream with CAIRN_ARTIFACT_UNAVAILABLE.
   */
  stream(index: ChunkIndex, what: string): ReadableStream<Uint8Array> {
    let next = 0;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (next >= index.chunks.length) return controller.close();
        const [hex, size] = index.chunks[next++]!;
        const data = await this.read(hex);
        if (data === undefined) {
          return controller.error(new CairnError(DeployCodes.ARTIFACT_UNAVAILABLE, `${what}: chunk ${next} of ${index.chunks.length} (sha256:${hex.slice(0, 12)}…) is not in this site's ${Streams.chunks} yet`, { details: { chunk: hex } }));
        }
        if (data.length !== size || createHash('sha256').update(data).digest('hex') !== hex) {
          return controller.error(new CairnError(DeployCodes.ARTIFACT_CORRUPT, `${what}: chunk ${next} (sha256:${hex.slice(0, 12)}…) does not have its digest`, { details: { chunk: hex } }));
        }
        controller.enqueue(data);
      },
    });
  }

  /**
   * Deletes the chunks not in `keep` that were stored at least `graceMs` before `now` (a chunk an
   * apply stored just now belongs to an index it has not written yet). Returns how many went.
   */
  async collect(keep: ReadonlySet<string>, now: number, graceMs: number): Promise<number> {
    const info = await this.jsm.streams.info(Streams.chunks, { subjects_filter: Subjects.chunk('*') }).catch(() => undefined);
    let removed = 0;
    for (const subject of Object.keys(info?.state.subjects ?? {})) {
      const hex = subject.slice(Subjects.chunk('').length);
      if (keep.has(hex)) continue;
      const message = await this.jsm.streams.getMessage(Streams.chunks, { last_by_subj: subject }).catch(() => undefined);
      if (!message || now - message.time.getTime() < graceMs) continue;
      await this.jsm.streams.purge(Streams.chunks, { filter: subject });
      removed++;
    }
    return removed;
  }

  /** The first chunk of `index` this stream does not hold, if any (an edge checks before it starts a load). */
  /**
   * How much of `index` this stream holds (an edge's mirror fills it in the order apply stored
   * the chunks): the bytes of the chunks present, of all, and the first chunk missing. One request.
   */
  async arrived(index: ChunkIndex): Promise<ChunkArrival> {
    const present = await this.present();
    return chunkArrival(index, (hex) => present.has(hex));
  }

  /** The digests of every chunk this stream holds (one listing; for several indexes at once). */
  async present(): Promise<ReadonlySet<string>> {
    const info = await this.jsm.streams.info(Streams.chunks, { subjects_filter: Subjects.chunk('*') }).catch(() => undefined);
    const prefix = Subjects.chunk('').length;
    return new Set(Object.entries(info?.state.subjects ?? {}).flatMap(([subject, n]) => (n > 0 ? [subject.slice(prefix)] : [])));
  }
}

/** How much of an artifact a site's store holds. */
export interface ChunkArrival {
  readonly bytes: number;
  readonly totalBytes: number;
  /** Index of the first chunk not held; undefined when all are. */
  readonly firstMissing?: number;
}

/** What `has` says of `index`'s chunks, summed. Pure. */
export function chunkArrival(index: ChunkIndex, has: (hex: string) => boolean): ChunkArrival {
  let bytes = 0;
  let totalBytes = 0;
  let firstMissing: number | undefined;
  index.chunks.forEach(([hex, size], i) => {
    totalBytes += size;
    if (has(hex)) bytes += size;
    else firstMissing ??= i;
  });
  return { bytes, totalBytes, ...(firstMissing === undefined ? {} : { firstMissing }) };
}
