import type { Command } from 'commander';
import { CairnError, ControlVerbs, DeployCodes } from '../../protocols/index.ts';
import type { LogsReply } from '../../protocols/index.ts';
import { isStale } from './cli-client.ts';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { integerOption } from './option-parsers.ts';
import { withClient } from './with-client.ts';

export function registerLogs(program: Command, io: CliIo): void {
  addConnectionOptions(
    program
      .command('logs <actor>')
      .description("print the recent output (stderr, container logs) of an actor's worker, process or container")
      .option('--timeout <ms>', 'how long to wait for each node', integerOption('--timeout', 1), 2_000),
  ).action(async (actor: string, flags: ConnectionFlags & { timeout: number }) => {
    await withClient(flags, io, async (client) => {
      const now = Date.now();
      const live = (await client.nodes()).filter((n) => n.site === client.connection.site && !isStale(n, now));
      const replies = await Promise.allSettled(live.map((n) => client.control<LogsReply>(n.id, ControlVerbs.logs, flags.timeout, n.site, { actor })));
      const found = replies.flatMap((r) => (r.status === 'fulfilled' && r.value.found ? [r.value] : []));
      if (found.length === 0) {
        throw new CairnError(DeployCodes.CLI_ACTOR_NOT_RUNNING, `no live node of site "${client.connection.site}" runs actor "${actor}"; see \`cairn ps\``, { details: { actor } });
      }
      if (flags.json) return io.out(JSON.stringify(found[0]!.lines));
      if (found[0]!.lines.length === 0) io.err(`actor "${actor}" has no output (inline actors log through the node's logger)`);
      for (const line of found[0]!.lines) io.out(line);
    });
  });
}
