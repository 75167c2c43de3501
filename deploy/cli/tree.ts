import type { Command } from 'commander';
import { ControlVerbs } from '../../protocols/index.ts';
import type { TreeReply } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { formatTree } from './format-tree.ts';
import { integerOption } from './option-parsers.ts';
import { queryNodes } from './query-nodes.ts';
import { withClient } from './with-client.ts';

export function registerTree(program: Command, io: CliIo): void {
  addConnectionOptions(
    program
      .command('tree')
      .description('draw the supervisor tree of every live node')
      .option('--timeout <ms>', 'how long to wait for each node', integerOption('--timeout', 1), 2_000),
  ).action(async (flags: ConnectionFlags & { timeout: number }) => {
    await withClient(flags, io, async (client) => {
      const replies = (await queryNodes<TreeReply>(client, ControlVerbs.tree, flags.timeout, io)).sort((a, b) => a.node.localeCompare(b.node));
      if (flags.json) return io.out(JSON.stringify(replies, null, 2));
      replies.forEach((r, i) => {
        if (i > 0) io.out('');
        io.out(`node ${r.node} (site ${r.site})`);
        for (const line of formatTree(r.roots)) io.out(line);
      });
    });
  });
}
