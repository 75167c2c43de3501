import { describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { publishingOutput } from '../../kernel/guest-output.ts';
import type { GuestChannel } from '../../kernel/guest-channel.ts';
import { Subjects, decodeValue } from '../../protocols/index.ts';
import type { OutputLine } from '../../protocols/index.ts';
import { serverForFile } from '../helpers/server-for-file.ts';

let nc: NatsConnection;
serverForFile((_server, connection) => void (nc = connection));

/** A guest channel whose output the test writes. */
function channelWritingOutput(): { channel: GuestChannel; write: (line: string) => void } {
  let listener: ((line: string) => void) | undefined;
  const channel = { describe: 'pid 1', exited: new Promise(() => undefined), send: () => undefined, onFrame: () => undefined, kill: async () => undefined, onOutput: (l: (line: string) => void) => void (listener = l) } as unknown as GuestChannel;
  return { channel, write: (line) => listener?.(line) };
}

describe('guest output', () => {
  it('guest output - each line is published on the actor’s subject; a line longer than a server message is cut, never thrown', async () => {
    const { channel, write } = channelWritingOutput();
    const launcher = publishingOutput(async () => channel, nc, 'n1');
    await launcher({ mode: 'process' } as never, { site: 's1', node: 'n1', actor: 'a1' }, new AbortController().signal);
    const sub = nc.subscribe(Subjects.output('s1', 'a1'), { max: 2 });
    await nc.flush();
    write('hello');
    expect(() => write('x'.repeat(2 * 1024 * 1024))).not.toThrow();
    const got: OutputLine[] = [];
    for await (const m of sub) got.push(decodeValue(m.data) as OutputLine);
    expect(got[0]).toEqual({ v: 1, site: 's1', actor: 'a1', node: 'n1', guest: 'pid 1', line: 'hello' });
    expect(got[1]!.line.length).toBeLessThan(70_000);
    expect(got[1]!.line).toMatch(/… \(2097152 characters, cut\)$/);
  });
});
