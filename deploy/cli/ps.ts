import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { formatPs } from './format-ps.ts';
import { integerOption } from './option-parsers.ts';
import { reportPartial } from './report-partial.ts';
import { withClient } from './with-client.ts';
import { outputFormat, renderData } from './output-format.ts';
import { addWatchOption, renderWatching } from './watch.ts';
import type { WatchFlags } from './watch.ts';

export function registerPs(program: Command, io: CliIo): void {
  addConnectionOptions(
    addWatchOption(program
      .command('ps'))
      .description('list the actors of every live node: status, restarts, messages handled/failed/queued, uptime')
      .option('--timeout <ms>', 'how long to wait for each node', integerOption('--timeout', 1), 2_000),
  ).action(async (flags: ConnectionFlags & WatchFlags & { timeout: number }) => {
    const format = outputFormat(flags);
    await withClient(flags, io, (client) =>
      renderWatching(flags, io, async () => {
        const q = await client.listActors();
        reportPartial(q, io, Date.now());
        const actors = q.results;
        if (format) return io.out(await renderData(format, actors));
        if (actors.length === 0) return io.out(`no actors run on site "${client.site}"`);
        for (const line of formatPs(actors, Date.now())) io.out(line);
      }, { data: format !== undefined }),
    { replyTimeoutMs: flags.timeout });
  });
}
