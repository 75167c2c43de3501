import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chunkArrival, contentChunks } from '../../../control-plane/index.ts';
import type { ChunkSizes } from '../../../control-plane/index.ts';

const SMALL: ChunkSizes = { min: 256, avg: 1024, max: 4096 };

async function chunksOf(data: Uint8Array, pieces = 3, sizes = SMALL): Promise<Uint8Array[]> {
  async function* source(): AsyncGenerator<Uint8Array> {
    const step = Math.ceil(data.length / pieces);
    for (let i = 0; i < data.length; i += step) yield data.subarray(i, i + step);
  }
  const out: Uint8Array[] = [];
  for await (const c of contentChunks(source(), sizes)) out.push(c);
  return out;
}

const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('content-defined chunks', () => {
  it('chunks - join back to the input, each within the size bounds (the last may be shorter)', async () => {
    const data = randomBytes(200_000);
    const chunks = await chunksOf(data);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    for (const c of chunks.slice(0, -1)) expect(c.length >= SMALL.min && c.length <= SMALL.max, String(c.length)).toBe(true);
    const mean = data.length / chunks.length;
    expect(mean).toBeGreaterThan(SMALL.avg / 2);
    expect(mean).toBeLessThan(SMALL.avg * 2);
  });

  it('chunks - the same bytes cut the same way however the stream is split into pieces', async () => {
    const data = randomBytes(100_000);
    expect((await chunksOf(data, 1)).map(digest)).toEqual((await chunksOf(data, 17)).map(digest));
  });

  it('chunks - a change in the middle changes only the chunks around it', async () => {
    const before = randomBytes(300_000);
    const after = Buffer.concat([before.subarray(0, 150_000), randomBytes(500), before.subarray(150_000)]);
    const a = new Set((await chunksOf(before)).map(digest));
    const b = await chunksOf(after);
    const fresh = b.filter((c) => !a.has(digest(c)));
    expect(fresh.reduce((n, c) => n + c.length, 0)).toBeLessThan(3 * SMALL.max);
  });

  it('chunks - empty input has no chunks; input shorter than the minimum is one chunk', async () => {
    expect(await chunksOf(new Uint8Array(0), 1)).toEqual([]);
    expect((await chunksOf(randomBytes(100), 1)).map((c) => c.length)).toEqual([100]);
  });
});

describe('chunk arrival', () => {
  it('chunk arrival - the bytes of the chunks held, of all, and the first one missing; all held has none missing', () => {
    const index = { v: 1 as const, size: 60, chunks: [['a', 10], ['b', 20], ['c', 30]] as [string, number][] };
    expect(chunkArrival(index, (hex) => hex !== 'b')).toEqual({ bytes: 40, totalBytes: 60, firstMissing: 1 });
    expect(chunkArrival(index, () => true)).toEqual({ bytes: 60, totalBytes: 60 });
    expect(chunkArrival(index, () => false)).toEqual({ bytes: 0, totalBytes: 60, firstMissing: 0 });
  });
});
