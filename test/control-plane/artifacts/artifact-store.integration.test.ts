// Storing an artifact again repairs it: an index whose chunks the chunk stream lost (its limits, a
// purge by hand) is not taken as stored, and only the missing chunks are sent.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ArtifactStore } from '../../../control-plane/index.ts';
import { Streams, Subjects } from '../../../protocols/index.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TestServer } from '../../helpers/nats.ts';

let server: TestServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startTestServer();
  nc = await connect({ servers: server.url });
}, 30_000);
afterAll(async () => {
  await nc?.close();
  await server?.cleanup();
});

/** Deterministic bytes that cut into several content-defined chunks. */
function bytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

async function* once(data: Uint8Array): AsyncIterable<Uint8Array> {
  yield data;
}

describe('artifact store', () => {
  it('artifact store - a file whose chunks went missing is stored again by the next put, sending only those chunks', async () => {
    const store = await ArtifactStore.open(jetstream(nc), { create: true });
    const data = bytes(1024 * 1024, 7);
    const sha = createHash('sha256').update(data).digest('hex');
    const first = await store.putFile(sha, async () => once(data), 'model.bin');
    expect(first).toMatchObject({ uploaded: true, sentBytes: data.length });
    expect(await store.putFile(sha, async () => once(data), 'model.bin')).toMatchObject({ uploaded: false, sentBytes: 0 });

    const jsm = await jetstreamManager(nc);
    const subjects = Object.keys((await jsm.streams.info(Streams.chunks, { subjects_filter: Subjects.chunk('*') })).state.subjects ?? {});
    expect(subjects.length).toBeGreaterThan(3);
    const lost = await jsm.streams.getMessage(Streams.chunks, { last_by_subj: subjects[1]! });
    await jsm.streams.purge(Streams.chunks, { filter: subjects[1]! });
    await expect(store.getFile(sha, 'model.bin')).rejects.toMatchObject({ code: 'CAIRN_ARTIFACT_UNAVAILABLE' });

    const again = await store.putFile(sha, async () => once(data), 'model.bin');
    expect(again).toMatchObject({ uploaded: true, sentBytes: lost!.data.length });
    const read: Uint8Array[] = [];
    for await (const piece of (await store.getFile(sha, 'model.bin'))! as unknown as AsyncIterable<Uint8Array>) read.push(piece);
    expect(createHash('sha256').update(Buffer.concat(read)).digest('hex')).toBe(sha);
  }, 60_000);

  it('artifact store - a behaviour whose chunks went missing is stored again by the next put', async () => {
    const store = await ArtifactStore.open(jetstream(nc), { create: true });
    const code = new TextEncoder().encode(`export default ${JSON.stringify('x'.repeat(300_000))};\n`);
    const sha = createHash('sha256').update(code).digest('hex');
    expect(await store.put(sha, code, './b.ts')).toMatchObject({ uploaded: true });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge(Streams.chunks);
    expect(await store.get(sha)).toBeUndefined();
    expect(await store.put(sha, code, './b.ts')).toMatchObject({ uploaded: true, sentBytes: code.length });
    expect(Buffer.from((await store.get(sha))!).equals(Buffer.from(code))).toBe(true);
  }, 60_000);
});
