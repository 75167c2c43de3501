import type { Command } from 'commander';
import { CairnError, DeployCodes, assertName, isCairnError } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { deadLetterJson, formatDeadLetters } from './format-dead-letters.ts';
import { integerOption } from './option-parsers.ts';
import { withClient } from './with-client.ts';
import { outputFormat, renderData } from './output-format.ts';

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
      const letters = await client.listDeadLetters({ limit: flags.limit, ...(flags.actor === undefined ? {} : { actor: flags.actor }) });
      const format = outputFormat(flags);
      if (format) return io.out(await renderData(format, letters.map(deadLetterJson)));
      if (letters.length === 0) return io.out(`no dead letters on site "${client.site}"${flags.actor ? ` for actor ${flags.actor}` : ''}`);
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
      const seqs = seq !== undefined ? [seq] : (await client.listDeadLetters({ limit: Number.MAX_SAFE_INTEGER, ...(flags.actor === undefined ? {} : { actor: flags.actor }) })).map((d) => d.seq);
      const replayed: number[] = [];
      for (const s of seqs) {
        try {
          await client.replayDeadLetter(s);
          replayed.push(s);
        } catch (err) {
          // With --all, one replayed or purged meanwhile by someone else is skipped.
          if (seq !== undefined || !isCairnError(err, DeployCodes.CLI_DEAD_LETTER_NOT_FOUND)) throw err;
        }
      }
      const format = outputFormat(flags);
      io.out(format ? await renderData(format, { replayed }, { compact: true }) : replayed.length === 0 ? 'no dead letters to replay' : `replayed ${replayed.length} dead letter(s): ${replayed.join(', ')}`);
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
      const purged = await client.purgeDeadLetters(seq);
      const format = outputFormat(flags);
      io.out(format ? await renderData(format, { purged }, { compact: true }) : `purged ${purged} dead letter(s)`);
    });
  });
}
