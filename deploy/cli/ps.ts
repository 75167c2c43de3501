import type { Command } from 'commander';
import { ControlVerbs } from '../../protocols/index.ts';
import type { ActorInfo, PsReply } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { formatPs } from './format-ps.ts';
import { integerOption } from './option-parsers.ts';
import { queryNodes } from './query-nodes.ts';
import { withClient } from './with-client.ts';

export function registerPs(program: Command, io: CliIo): void {
  addConnectionOptions(
    program
      .command('ps')
      .description('list the actors of every live node: status, restarts, messages handled/failed/queued, uptime')
      .option('--timeout <ms>', 'how long to wait for each node', integerOption('--timeout', 1), 2_000),
  ).action(async (flags: ConnectionFlags & { timeout: number }) => {
    await withClient(flags, io, async (client) => {
      const replies = await queryNodes<PsReply>(client, ControlVerbs.ps, flags.timeout, io);
      const actors: ActorInfo[] = replies.flatMap((r) => r.actors).sort((a, b) => a.node.localeCompare(b.node) || a.id.localeCompare(b.id));
      if (flags.json) return io.out(JSON.stringify(actors, null, 2));
      if (actors.length === 0) return io.out(`no actors run on site "${client.connection.site}"`);
      for (const line of formatPs(actors, Date.now())) io.out(line);
    });
  });
}
