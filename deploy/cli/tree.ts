import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { formatTree } from './format-tree.ts';
import { integerOption } from './option-parsers.ts';
import { reportPartial } from './report-partial.ts';
import { withClient } from './with-client.ts';
import { outputFormat, renderData } from './output-format.ts';

export function registerTree(program: Command, io: CliIo): void {
  addConnectionOptions(
    program
      .command('tree')
      .description('draw the supervisor tree of every live node')
      .option('--timeout <ms>', 'how long to wait for each node', integerOption('--timeout', 1), 2_000),
  ).action(async (flags: ConnectionFlags & { timeout: number }) => {
    await withClient(flags, io, async (client) => {
      const q = await client.listTrees();
      reportPartial(q, io, Date.now());
      const replies = q.results;
      const format = outputFormat(flags);
      if (format) return io.out(await renderData(format, replies));
      replies.forEach((r, i) => {
        if (i > 0) io.out('');
        io.out(`node ${r.node} (site ${r.site})`);
        for (const line of formatTree(r.roots)) io.out(line);
      });
    }, { replyTimeoutMs: flags.timeout });
  });
}
