// Every command writes all of its output before it exits, also into a pipe, and a reader that
// stops early (| head) is not an error (issue 10, "complete output").
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineActor } from '../../../kernel/index.ts';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TestServer } from '../../helpers/nats.ts';
import { eventLog } from '../../helpers/actors.ts';
import { CAIRN_BIN, cleanEnv } from './cli-harness.ts';

const run = promisify(execFile);
const LETTERS = 60;
const PAYLOAD = 'x'.repeat(100_000);

let server: TestServer;
let system: ActorSystem;
let dir: string;
const site = 'piped';

beforeAll(async () => {
  server = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), 'cairn-piped-'));
  system = await createActorSystem({ servers: server.url, site, node: 'n1' });
  const Refuser = defineActor<{ type: 'job'; pad: string }>({ name: 'refuser', onError: 'resume', retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1 }, receive: () => { throw new Error('refused'); } });
  const ref = await system.spawn(Refuser, { id: 'refuser' });
  const events = eventLog((l) => system.onEvent(l));
  for (let i = 0; i < LETTERS; i++) await ref.tell({ type: 'job', pad: PAYLOAD });
  for (let i = 0; i < LETTERS; i++) await events.next((e) => e.type === 'dead-lettered');
}, 60_000);
afterAll(async () => {
  await system?.shutdown();
  await server?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `cairn dlq ls --json` into a shell pipeline; returns the pipeline's stdout and cairn's own exit status. */
async function piped(into: string): Promise<{ out: string; cairnStatus: number }> {
  const cmd = `"${process.execPath}" "${CAIRN_BIN}" dlq ls --json --limit 1000 --server ${server.url} --site ${site} | ${into}; echo "status=\${PIPESTATUS[0]}" >&2`;
  const { stdout, stderr } = await run('bash', ['-c', cmd], { env: cleanEnv(), maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  return { out: stdout, cairnStatus: Number(/status=(\d+)/.exec(stderr)?.[1]) };
}

describe('output into a pipe', () => {
  it('cli output - a 6 MB listing arrives whole through a pipe, byte for byte what a file gets', async () => {
    const file = join(dir, 'letters.json');
    await run('bash', ['-c', `"${process.execPath}" "${CAIRN_BIN}" dlq ls --json --limit 1000 --server ${server.url} --site ${site} > "${file}"`], { env: cleanEnv(), timeout: 60_000 });
    const whole = await readFile(file, 'utf8');
    expect(whole.length).toBeGreaterThan(5_000_000);
    expect((JSON.parse(whole) as unknown[]).length).toBe(LETTERS);
    const counted = await piped('wc -c');
    expect(counted.cairnStatus).toBe(0);
    expect(Number(counted.out.trim())).toBe(Buffer.byteLength(whole));
  }, 120_000);

  it('cli output - a reader that stops early (head -c) ends the command quietly, with status 0', async () => {
    const head = await piped('head -c 1000');
    expect(head.out.length).toBe(1000);
    expect(head.cairnStatus).toBe(0);
  }, 120_000);
});
