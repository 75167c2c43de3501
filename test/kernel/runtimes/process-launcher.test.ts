// The process launcher on its own (no node): framing, exits, logs, the registry file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GuestChannel } from '../../../kernel/index.ts';
import type { GuestFrame } from '../../../protocols/index.ts';
import { processLauncher, readRegistry } from '../../../kernel/runtimes/index.ts';
import { HOST_PROTOCOL_VERSION, KernelCodes } from '../../../protocols/index.ts';
import { PYTHON_COUNTER } from '../../conformance/modes.ts';

const info = { site: 'plt', node: 'n1', actor: 'a1' };
let dir: string;
const started: GuestChannel[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-plt-'));
});
afterEach(async () => {
  for (const ch of started.splice(0)) await ch.kill();
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
});

async function launch(command: string, args: string[]): Promise<GuestChannel> {
  const ch = await processLauncher({ registryDir: dir })({ mode: 'process', command, args }, info, new AbortController().signal);
  started.push(ch);
  return ch;
}

function nextFrame(ch: GuestChannel, t: GuestFrame['t']): Promise<GuestFrame> {
  return new Promise((resolve) => ch.onFrame((f) => f.t === t && resolve(f)));
}

describe('process launcher', () => {
  it('process launcher - frames travel both ways over stdin/stdout', async () => {
    const ch = await launch('/usr/bin/python3', [PYTHON_COUNTER]);
    expect(ch.describe).toMatch(/^pid \d+$/);
    const ready = nextFrame(ch, 'ready');
    ch.send({ t: 'init', v: HOST_PROTOCOL_VERSION, id: 'a1', site: 'plt', node: 'n1' });
    expect(await ready).toEqual({ t: 'ready', state: { value: { n: 0 } } });
    const done = nextFrame(ch, 'done');
    ch.send({ t: 'msg', n: 1, attempt: 1, env: { v: 1, id: 'm1', type: 'inc', to: 'plt/a1', ts: 1, body: { type: 'inc', by: 2 } } });
    expect(await done).toMatchObject({ t: 'done', n: 1, state: { value: { n: 2 } }, sends: [] });
  });

  it('process launcher - an exit is reported with its code and the last stderr line; logs() keeps stderr', async () => {
    const ch = await launch('/bin/sh', ['-c', 'echo starting >&2; echo "no such module" >&2; exit 4']);
    expect(await ch.exited).toEqual({ reason: 'exited with code 4; last stderr: no such module', code: KernelCodes.GUEST_EXITED });
    expect(await ch.logs!()).toEqual(['starting', 'no such module']);
  });

  it('process launcher - kill() sends SIGKILL and resolves once the process is gone', async () => {
    const ch = await launch('/bin/sleep', ['30']);
    expect(await ch.usage!()).toMatchObject({ memoryBytes: expect.any(Number) });
    await ch.kill();
    expect(await ch.exited).toEqual({ reason: 'killed by SIGKILL', code: KernelCodes.GUEST_EXITED });
    expect(await ch.usage!()).toBeUndefined();
  });

  it('process launcher - a guest printing to stdout corrupts the stream and is killed, saying so', async () => {
    const ch = await launch('/bin/sh', ['-c', 'echo hello; exec sleep 30']);
    const exit = await ch.exited;
    expect(exit.reason).toMatch(/corrupt host-protocol frame.*use stderr for logs/);
  });

  it('process launcher - a missing command fails with CAIRN_GUEST_START_FAILED naming it', async () => {
    const err = await launch('/no/such/guest-binary', []).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: KernelCodes.GUEST_START_FAILED });
    expect((err as Error).message).toContain('"/no/such/guest-binary" not found');
  });

  it('process launcher - records the child in the node registry while it runs', async () => {
    const ch = await launch('/bin/sleep', ['30']);
    const pid = Number(ch.describe.slice(4));
    expect(await readRegistry(dir, 'plt', 'n1')).toEqual([expect.objectContaining({ pid, site: 'plt', node: 'n1', actor: 'a1', command: '/bin/sleep' })]);
    await ch.kill();
    // The record is dropped before `exited` settles.
    expect(await readRegistry(dir, 'plt', 'n1')).toEqual([]);
  });
});
