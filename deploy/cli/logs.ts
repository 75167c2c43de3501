import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { integerOption } from './option-parsers.ts';
import { withClient } from './with-client.ts';
import { outputFormat, renderData } from './output-format.ts';

export function registerLogs(program: Command, io: CliIo): void {
  addConnectionOptions(
    program
      .command('logs <actor>')
      .description("print the recent output (stderr, container logs) of an actor's worker, process or container")
      .option('--timeout <ms>', 'how long to wait for each node', integerOption('--timeout', 1), 2_000),
  ).action(async (actor: string, flags: ConnectionFlags & { timeout: number }) => {
    await withClient(flags, io, async (client) => {
      const lines = await client.actorLogs(actor);
      const format = outputFormat(flags);
      if (format) return io.out(await renderData(format, lines, { compact: true }));
      if (lines.length === 0) io.err(`actor "${actor}" has no output (inline actors log through the node's logger)`);
      for (const line of lines) io.out(line);
    }, { replyTimeoutMs: flags.timeout });
  });
}
