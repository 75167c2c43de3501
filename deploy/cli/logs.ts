import type { Command } from 'commander';
import { seamOverlap } from '../../client/index.ts';
import type { CairnClient } from '../../client/index.ts';
import type { OutputLine } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { integerOption } from './option-parsers.ts';
import { withClient } from './with-client.ts';
import { outputFormat, renderData } from './output-format.ts';
import type { OutputFormat } from './output-format.ts';
import { catchStopSignals } from './stop-signals.ts';

interface LogsFlags extends ConnectionFlags {
  readonly timeout: number;
  readonly follow?: boolean;
}

const INLINE_NOTE = "inline actors log through the node's logger";

export function registerLogs(program: Command, io: CliIo): void {
  addConnectionOptions(
    program
      .command('logs <actor>')
      .description("print the recent output (stderr, container logs) of an actor's worker, process or container")
      .option('-f, --follow', 'then print each new line as the guest writes it, until Ctrl-C (through restarts and failovers)')
      .option('--timeout <ms>', 'how long to wait for each node', integerOption('--timeout', 1), 2_000),
  ).action(async (actor: string, flags: LogsFlags) => {
    await withClient(flags, io, async (client) => {
      const format = outputFormat(flags);
      if (flags.follow) return follow(client, actor, format, io);
      const lines = await client.actorLogs(actor);
      if (format) return io.out(await renderData(format, lines, { compact: true }));
      if (lines.length === 0) io.err(`actor "${actor}" has no output (${INLINE_NOTE})`);
      for (const line of lines) io.out(line);
    }, { replyTimeoutMs: flags.timeout });
  });
}

/**
 * `logs -f`: the recent lines, then each new one until SIGINT/SIGTERM. It subscribes before it asks
 * for the recent lines, so a line written in between is not lost (and printed once: seamOverlap).
 * With -o every line is one document: an OutputLine (recent ones without node and guest).
 */
async function follow(client: CairnClient, actor: string, format: OutputFormat | undefined, io: CliIo): Promise<void> {
  const stop = new AbortController();
  const signals = catchStopSignals(io);
  void signals.next().then(() => {
    // A second Ctrl-C while the client closes exits at once.
    signals.stopping();
    stop.abort();
  });
  // One chain, so lines print in the order they came whatever rendering takes.
  let printed = Promise.resolve();
  const print = (line: Partial<OutputLine> & { readonly line: string }): void => {
    printed = printed.then(async () => io.out(format ? await renderData(format, { v: 1, site: client.site, actor, ...line }, { compact: true }) : line.line));
  };
  try {
    const live = await client.followActorLogs(actor, { signal: stop.signal });
    const early: OutputLine[] = [];
    let seamed = false;
    const following = (async () => {
      for await (const line of live) {
        if (seamed) print(line);
        else early.push(line);
      }
    })();
    // Awaited below; a subscription that fails meanwhile is not an unhandled rejection.
    following.catch(() => undefined);
    let recent: readonly string[];
    try {
      recent = await client.actorLogs(actor);
    } catch (err) {
      live.close();
      await following;
      throw err;
    }
    // Synchronous from here to `seamed`: no live line can slip between the two.
    for (const line of recent) print({ line });
    for (const line of early.slice(seamOverlap(recent, early.map((l) => l.line)))) print(line);
    seamed = true;
    if (recent.length === 0 && early.length === 0) io.err(`following actor "${actor}", which has no output yet (${INLINE_NOTE}); Ctrl-C stops`);
    await following;
    await printed;
  } finally {
    signals.dispose();
  }
}
