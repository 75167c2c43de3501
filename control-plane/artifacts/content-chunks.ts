import { createHash } from 'node:crypto';

/**
 * Content-defined chunking (a gear rolling hash with FastCDC's normalized cut points): a chunk
 * ends where the hash of the last bytes matches a mask, so an insertion or a change moves only the
 * boundaries near it and the chunks around it stay the same bytes, with the same digests. That is
 * what lets a new version of a big file or image send only what changed.
 */
export interface ChunkSizes {
  readonly min: number;
  /** The mean the masks aim at. */
  readonly avg: number;
  readonly max: number;
}

/** 16 KiB / 64 KiB / 256 KiB: a 50 MB file is ~800 chunks, each one JetStream message well under max_payload. */
export const DEFAULT_CHUNK_SIZES: ChunkSizes = { min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 };

/** 256 random 32-bit values, fixed (from SHA-256 of the index): every machine cuts the same bytes alike. */
const GEAR: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) table[i] = createHash('sha256').update(`cairn-gear-${i}`).digest().readUInt32BE(0);
  return table;
})();

function maskOfBits(bits: number): number {
  return bits >= 32 ? 0xffffffff : ((1 << bits) - 1) >>> 0;
}

/**
 * Where the chunk starting at `start` ends in `data` (exclusive), or undefined when `data` may hold
 * more of it (`final`: the data ends here, so the rest is the last chunk). Pure.
 */
export function cutPoint(data: Uint8Array, start: number, final: boolean, sizes: ChunkSizes = DEFAULT_CHUNK_SIZES): number | undefined {
  const available = data.length - start;
  if (available <= sizes.min) return final && available > 0 ? data.length : undefined;
  const bits = Math.round(Math.log2(sizes.avg));
  // Harder to cut before the mean, easier after it: chunk sizes cluster around it.
  const strict = maskOfBits(bits + 1);
  const loose = maskOfBits(bits - 1);
  const end = Math.min(data.length, start + sizes.max);
  const middle = Math.min(end, start + sizes.avg);
  let hash = 0;
  for (let i = start + sizes.min; i < end; i++) {
    hash = ((hash << 1) + GEAR[data[i]!]!) >>> 0;
    if ((hash & (i < middle ? strict : loose)) === 0) return i + 1;
  }
  if (end - start >= sizes.max) return end;
  return final ? data.length : undefined;
}

/** Splits a stream of bytes into content-defined chunks, in order. */
export async function* contentChunks(source: AsyncIterable<Uint8Array>, sizes: ChunkSizes = DEFAULT_CHUNK_SIZES): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(0);
  for await (const piece of source) {
    const joined = new Uint8Array(buffer.length + piece.length);
    joined.set(buffer);
    joined.set(piece, buffer.length);
    buffer = joined;
    let start = 0;
    for (let cut = cutPoint(buffer, start, false, sizes); cut !== undefined; cut = cutPoint(buffer, start, false, sizes)) {
      yield buffer.slice(start, cut);
      start = cut;
    }
    buffer = buffer.slice(start);
  }
  let start = 0;
  for (let cut = cutPoint(buffer, start, true, sizes); cut !== undefined && start < buffer.length; cut = cutPoint(buffer, start, true, sizes)) {
    yield buffer.slice(start, cut);
    start = cut;
  }
}
