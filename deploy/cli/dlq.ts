import type { Command } from 'commander';
import type { DeadLetter, DeadLetterAdmin, ListOptions } from '../../kernel/index.ts';
import { CairnError, DeployCodes, Streams, assertName } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { deadLetterJson, formatDeadLetters } from './format-dead-letters.ts';
import { integerOption } from './option-parsers.ts';
import { withClient } from './with-client.ts';

const seqOf = integerOption('<seq>', 1, 1);

export function registerDlq(program: Command, io: CliIo): void {
  const dlq = program.command('dlq').description("list, replay and purge the site's dead letters (messages that failed every attempt)");

  addConnectionOptions(
    dlq
      .command('ls')
      .description('list dead letters, oldest first')
      .option('--actor <id>', 'only the dead letters of this actor')
      .option('--limit <n>', 'at most this many', integerOption('--limit', 1), 100),
  ).action(async (flags: ConnectionFlags & { actor?: string; limit: number }) => {
    if (flags.actor !== undefined) assertName(flags.actor, 'actor id');
    await withClient(flags, io, async (client) => {
      const letters = await listOrExplain(client.deadLetters(), client.connection.site, { limit: flags.limit, ...(flags.actor === undefined ? {} : { actor: flags.actor }) });
      if (flags.json) return io.out(JSON.stringify(letters.map(deadLetterJson), null, 2));
      if (letters.length === 0) return io.out(`no dead letters on site "${client.connection.site}"${flags.actor ? ` for actor ${flags.actor}` : ''}`);
      for (const line of formatDeadLetters(letters, Date.now())) io.out(line);
    });
  });

  addConnectionOptions(
    dlq
      .command('replay')
      .description('send dead letters back to their mailboxes (and remove them from the dead letters)')
      .argument('[seq]', 'sequence of the dead letter, from `cairn dlq ls`')
      .option('--all', 'replay every dead letter (with --actor: every one of that actor)')
      .option('--actor <id>', 'with --all: only this actor'),
  ).action(async (seqText: string | undefined, flags: ConnectionFlags & { all?: boolean; actor?: string }) => {
    if ((seqText === undefined) === (flags.all !== true)) {
      throw new CairnError(DeployCodes.CLI_USAGE, `give either a sequence or --all (got ${seqText === undefined ? 'neither' : `${seqText} and --all`}); e.g. cairn dlq replay 3, or cairn dlq replay --all`);
    }
    if (flags.actor !== undefined) assertName(flags.actor, 'actor id');
    const seq = seqText === undefined ? undefined : seqOf(seqText);
    await withClient(flags, io, async (client) => {
      const admin = client.deadLetters();
      const seqs = seq !== undefined ? [seq] : (await listOrExplain(admin, client.connection.site, { limit: Number.MAX_SAFE_INTEGER, ...(flags.actor === undefined ? {} : { actor: flags.actor }) })).map((d) => d.seq);
      const replayed: number[] = [];
      for (const s of seqs) {
        if (await admin.replay(s).catch((err: unknown) => Promise.reject(translate(err, client.connection.site)))) replayed.push(s);
        else if (seq !== undefined) throw notFound(s, client.connection.site);
      }
      io.out(flags.json ? JSON.stringify({ replayed }) : replayed.length === 0 ? 'no dead letters to replay' : `replayed ${replayed.length} dead letter(s): ${replayed.join(', ')}`);
    });
  });

  addConnectionOptions(
    dlq
      .command('purge')
      .description('delete one dead letter, or all of them')
      .argument('[seq]', 'sequence of the dead letter (omit to purge all)'),
  ).action(async (seqText: string | undefined, flags: ConnectionFlags) => {
    const seq = seqText === undefined ? undefined : seqOf(seqText);
    await withClient(flags, io, async (client) => {
      const purged = await client.deadLetters().purge(seq).catch((err: unknown) => {
        if (seq !== undefined && isNoMessage(err)) return 0;
        throw translate(err, client.connection.site);
      });
      if (seq !== undefined && purged === 0) throw notFound(seq, client.connection.site);
      io.out(flags.json ? JSON.stringify({ purged }) : `purged ${purged} dead letter(s)`);
    });
  });
}

function notFound(seq: number, site: string): CairnError {
  return new CairnError(DeployCodes.CLI_DEAD_LETTER_NOT_FOUND, `there is no dead letter with sequence ${seq} on site "${site}"; list them with \`cairn dlq ls\` and use a SEQ from it`, { details: { seq, site } });
}

/** JetStream's "stream not found": no node of the site has ever started, so there is no dead-letter stream. */
const STREAM_NOT_FOUND = 10059;
const NO_MESSAGE_FOUND = 10037;

function apiCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; api_error?: { err_code?: unknown } };
  const code = e?.api_error?.err_code ?? e?.code;
  return typeof code === 'number' ? code : undefined;
}

function isNoMessage(err: unknown): boolean {
  return apiCode(err) === NO_MESSAGE_FOUND || /no message found/i.test((err as Error)?.message ?? '');
}

function translate(err: unknown, site: string): unknown {
  if (apiCode(err) === STREAM_NOT_FOUND || /stream not found/i.test((err as Error)?.message ?? '')) {
    return new CairnError(DeployCodes.CLI_NO_NODES, `site "${site}" has no dead-letter stream ${Streams.deadLetters(site)}: no node of it has started on this server; start one with \`cairn up\`, or pass the right --server / --site`, { cause: err, details: { site } });
  }
  return err;
}

function listOrExplain(admin: DeadLetterAdmin, site: string, opts: ListOptions): Promise<DeadLetter[]> {
  return admin.list(opts).catch((err: unknown) => Promise.reject(translate(err, site)));
}
