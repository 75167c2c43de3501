import type { Command } from 'commander';
import { assertName } from '../../protocols/index.ts';
import type { AppFlags } from './apply.ts';
import { addAppOptions } from './apply.ts';
import type { CliIo } from './cli-io.ts';
import { withClient } from './with-client.ts';
import { outputFormat, renderData } from './output-format.ts';

export function registerDelete(program: Command, io: CliIo): void {
  addAppOptions(
    program
      .command('delete')
      .description('delete an application from the desired state: every site stops it (its revisions are kept for rollback)')
      .argument('<app>', 'application name (metadata.name)'),
  ).action(async (app: string, flags: AppFlags) => {
    assertName(app, 'application name');
    await withClient(flags, io, async (client) => {
      const { revision } = await client.deleteApp(app);
      const format = outputFormat(flags);
      io.out(format ? await renderData(format, { name: app, deleted: true, revision }, { compact: true }) : `application "${app}" deleted (revision ${revision}); every site stops it`);
    });
  });
}
