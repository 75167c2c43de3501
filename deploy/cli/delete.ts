import type { Command } from 'commander';
import { assertName } from '../../protocols/index.ts';
import type { AppFlags } from './apply.ts';
import { addAppOptions } from './apply.ts';
import type { CliIo } from './cli-io.ts';
import { withClient } from './with-client.ts';

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
      io.out(flags.json ? JSON.stringify({ name: app, deleted: true, revision }) : `application "${app}" deleted (revision ${revision}); every site stops it`);
    });
  });
}
