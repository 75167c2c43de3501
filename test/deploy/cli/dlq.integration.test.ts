import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { match } from 'ts-pattern';
import { parse as parseYaml } from 'yaml';
import { defineActor } from '../../../kernel/index.ts';
import { createActorSystem } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import { ExitCodes, runCli } from '../../../deploy/cli/index.ts';
import { DeployCodes } from '../../../protocols/index.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TestServer } from '../../helpers/nats.ts';
import { eventLog } from '../../helpers/actors.ts';
import { captureIo } from './cli-harness.ts';

type JobMsg = { type: 'job'; id: number };

// The handler fails while `failing` holds; the test flips it to let a replayed message through.
let failing = true;
const handled: number[] = [];
let onHandled: ((id: number) => void) | undefined;
const Picky = defineActor<JobMsg>({
  name: 'picky',
  onError: 'resume',
  retry: { maxAttempts: 2, initialBackoffMs: 5, maxBackoffMs: 5 },
  receive: (msg) =>
    match(msg)
      .with({ type: 'job' }, ({ id }) => {
        if (failing) throw new Error(`job ${id} refused`);
        handled.push(id);
        onHandled?.(id);
      })
      .exhaustive(),
});

let server: TestServer;
let system: ActorSystem;
const site = 'dlq1';
beforeAll(async () => {
  server = await startTestServer();
  system = await createActorSystem({ servers: server.url, site, node: 'n1' });
  await system.spawn(Picky, { id: 'picky' });
});
afterAll(async () => {
  await system?.shutdown();
  await server?.cleanup();
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({});
  const code = await runCli([...args, '--server', server.url, '--site', site], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('cairn dlq', () => {
  it('cairn dlq - ls shows a dead letter and replay sends it back to its actor', async () => {
    const events = eventLog((l) => system.onEvent(l));
    await system.ref<JobMsg>('picky').tell({ type: 'job', id: 7 });
    await events.next((e) => e.type === 'dead-lettered' && e.actor === 'picky');

    const ls = await cli('dlq', 'ls', '--json');
    expect(ls.code, ls.err).toBe(ExitCodes.ok);
    const letters = JSON.parse(ls.out) as { seq: number; actor: string; type: string; message: unknown; reason: string; attempts: number }[];
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ actor: 'picky', type: 'job', message: { type: 'job', id: 7 }, attempts: 2 });
    expect(letters[0]!.reason).toContain('job 7 refused');

    // -o json and -o yaml print the same data as --json.
    expect(JSON.parse((await cli('dlq', 'ls', '-o', 'json')).out)).toEqual(letters);
    expect(parseYaml((await cli('dlq', 'ls', '-o', 'yaml')).out)).toEqual(letters);

    const table = await cli('dlq', 'ls');
    expect(table.out).toMatch(/^SEQ\s+ACTOR\s+TYPE\s+ATTEMPTS\s+AGE\s+CODE\s+REASON$/m);
    expect(table.out).toMatch(new RegExp(`^\\s*${letters[0]!.seq}\\s+picky\\s+job\\s+2\\s`, 'm'));

    failing = false;
    const replayed = new Promise<void>((resolve) => (onHandled = (id) => id === 7 && resolve()));
    const replay = await cli('dlq', 'replay', String(letters[0]!.seq));
    expect(replay.code, replay.err).toBe(ExitCodes.ok);
    expect(replay.out).toContain(`replayed 1 dead letter(s): ${letters[0]!.seq}`);
    await replayed;
    expect(JSON.parse((await cli('dlq', 'ls', '--json')).out)).toEqual([]);
    events.stop();
  });

  it('cairn dlq - replay of an unknown sequence exits 1 and says where to find one', async () => {
    const r = await cli('dlq', 'replay', '999999');
    expect(r.code).toBe(ExitCodes.error);
    expect(r.err).toContain(DeployCodes.CLI_DEAD_LETTER_NOT_FOUND);
    expect(r.err).toContain('cairn dlq ls');
  });

  it('cairn dlq - replay needs a sequence or --all', async () => {
    const r = await cli('dlq', 'replay');
    expect(r.code).toBe(ExitCodes.usage);
    expect(r.err).toContain('give either a sequence or --all');
  });

  it('cairn dlq - purge removes dead letters', async () => {
    failing = true;
    const events = eventLog((l) => system.onEvent(l));
    await system.ref<JobMsg>('picky').tell({ type: 'job', id: 8 });
    await events.next((e) => e.type === 'dead-lettered' && e.actor === 'picky');
    events.stop();
    const purge = await cli('dlq', 'purge', '--json');
    expect(purge.code, purge.err).toBe(ExitCodes.ok);
    expect(JSON.parse(purge.out)).toEqual({ purged: 1 });
    expect(JSON.parse((await cli('dlq', 'ls', '--json')).out)).toEqual([]);
  });

  it('cairn dlq - a site without nodes is named with the fix', async () => {
    const io = captureIo({});
    const code = await runCli(['dlq', 'ls', '--server', server.url, '--site', 'nobody'], io);
    expect(code).toBe(ExitCodes.error);
    expect(io.stderr.join('\n')).toContain(DeployCodes.CLI_NO_NODES);
    expect(io.stderr.join('\n')).toContain('site "nobody"');
  });
});
