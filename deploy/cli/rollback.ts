import type { Command } from 'commander';
import { assertName } from '../../protocols/index.ts';
import type { AppFlags } from './apply.ts';
import { addAppOptions } from './apply.ts';
import type { CliIo } from './cli-io.ts';
import { integerOption } from './option-parsers.ts';
import { withClient } from './with-client.ts';
import { outputFormat, renderData } from './output-format.ts';

export function registerRollback(program: Command, io: CliIo): void {
  addAppOptions(
    program
      .command('rollback')
      .description('write an earlier revision of an application again, as a new revision (default: the one before the current)')
      .argument('<app>', 'application name (metadata.name)')
      .option('--to-revision <n>', 'the revision to go back to (see `cairn get <app>`)', integerOption('--to-revision', 1)),
  ).action(async (app: string, flags: AppFlags & { toRevision?: number }) => {
    assertName(app, 'application name');
    await withClient(flags, io, async (client) => {
      const r = await client.rollbackApp(app, flags.toRevision);
      const format = outputFormat(flags);
      if (format) return io.out(await renderData(format, { name: r.name, revision: r.revision, from: r.from, changed: r.changed }, { compact: true }));
      io.out(r.changed ? `application "${app}" rolled back to revision ${r.from}: now revision ${r.revision}` : `application "${app}" already matches revision ${r.from} (revision ${r.revision}); nothing written`);
    });
  });
}
