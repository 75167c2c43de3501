import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { formatPs } from './format-ps.ts';
import { integerOption } from './option-parsers.ts';
import { reportPartial } from './report-partial.ts';
import { withClient } from './with-client.ts';
import { outputFormat, renderData } from './output-format.ts';

export function registerPs(program: Command, io: CliIo): void {
  addConnectionOptions(
    program
      .command('ps')
      .description('list the actors of every live node: status, restarts, messages handled/failed/queued, uptime')
      .option('--timeout <ms>', 'how long to wait for each node', integerOption('--timeout', 1), 2_000),
  ).action(async (flags: ConnectionFlags & { timeout: number }) => {
    await withClient(flags, io, async (client) => {
      const q = await client.listActors();
      reportPartial(q, io, Date.now());
      const actors = q.results;
      const format = outputFormat(flags);
      if (format) return io.out(await renderData(format, actors));
      if (actors.length === 0) return io.out(`no actors run on site "${client.site}"`);
      for (const line of formatPs(actors, Date.now())) io.out(line);
    }, { replyTimeoutMs: flags.timeout });
  });
}
