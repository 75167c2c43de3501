import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KernelCodes, decodeEnvelope, encodeEnvelope, isCairnError } from '../../protocols/index.ts';
import type { Envelope } from '../../protocols/index.ts';

const FULL: Envelope = {
  v: 1,
  id: 'm-1',
  type: 'inc',
  from: 'edge1/~node-a',
  to: 'edge1/counter',
  cid: 'c-9',
  reply: '_INBOX.x.c-9',
  hdr: { trace: 't1' },
  ts: 1763776000123,
  body: { type: 'inc', by: 2 },
};
// The bytes printed in protocols/README.md.
const FULL_HEX =
  '8aa17601a26964a36d2d31a474797065a3696e63a466726f6dad65646765312f7e6e6f64652d61a2746fad65646765312f636f756e746572a3636964a3632d39a57265706c79ac5f494e424f582e782e632d39a368647281a57472616365a27431a27473d30000019aa93df07ba4626f647982a474797065a3696e63a2627902';
const MINIMAL: Envelope = { v: 1, id: 'm-2', type: 'cairn.reply', to: 'local/~n', ts: 0, body: undefined };
const MINIMAL_HEX = '86a17601a26964a36d2d32a474797065ab636169726e2e7265706c79a2746fa86c6f63616c2f7e6ea27473d30000000000000000a4626f6479c0';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('envelope', () => {
  it('envelope - encodes to the golden bytes, keys in spec order', () => {
    expect(hex(encodeEnvelope(FULL))).toBe(FULL_HEX);
  });

  it('envelope - leaves out absent optional keys and writes a missing body as nil', () => {
    expect(hex(encodeEnvelope(MINIMAL))).toBe(MINIMAL_HEX);
  });

  it('envelope - key order does not depend on the order of the object given', () => {
    const shuffled = Object.fromEntries(Object.entries(FULL).reverse()) as unknown as Envelope;
    expect(hex(encodeEnvelope(shuffled))).toBe(FULL_HEX);
  });

  it('envelope - the golden bytes decode back to the envelope', () => {
    expect(decodeEnvelope(Buffer.from(FULL_HEX, 'hex'))).toEqual(FULL);
    expect(decodeEnvelope(Buffer.from(MINIMAL_HEX, 'hex'))).toEqual({ ...MINIMAL, body: null });
  });

  it('envelope - the README shows the same bytes as the golden test', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../protocols/README.md', import.meta.url), 'utf8');
    const block = readme.split('is these 128 bytes:')[1]!.split('```')[1]!;
    expect(block.replace(/\s+/g, '')).toBe(FULL_HEX);
    expect(FULL_HEX.length / 2).toBe(128);
  });

  it('envelope - Python msgpack reads the golden bytes as the same map, in the same key order', () => {
    const script = 'import msgpack,sys,json; d=msgpack.unpackb(bytes.fromhex(sys.argv[1]), raw=False); print(json.dumps(d))';
    // Debian's python3 with python3-msgpack (installed by .ci/run), not whatever python3 is first on PATH.
    const out = execFileSync('/usr/bin/python3', ['-c', script, FULL_HEX], { encoding: 'utf8' });
    expect(Object.keys(JSON.parse(out))).toEqual(['v', 'id', 'type', 'from', 'to', 'cid', 'reply', 'hdr', 'ts', 'body']);
    expect(JSON.parse(out)).toEqual(FULL);
  });

  it.each([
    ['truncated msgpack', 'a561', 'not MessagePack'],
    ['an array', '9101', 'not a map'],
    ['version 2', '81a17602', 'version 2'],
    ['no id', '83a17601a474797065a178a2746fa3612f62', 'field "id"'],
    ['a float ts', '85a17601a26964a178a474797065a178a2746fa3612f62a27473cb3ff8000000000000', 'must be an integer'],
    ['hdr with a number', '86a17601a26964a178a474797065a178a2746fa3612f62a27473d30000000000000001a368647281a16101', '"hdr"'],
  ])('envelope - rejects %s with CAIRN_UNDECODABLE naming the problem', (_what, bytes, words) => {
    let caught: unknown;
    try {
      decodeEnvelope(Buffer.from(bytes, 'hex'));
    } catch (err) {
      caught = err;
    }
    expect(isCairnError(caught, KernelCodes.UNDECODABLE)).toBe(true);
    expect((caught as Error).message).toContain(words);
  });
});
