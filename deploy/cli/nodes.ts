import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { formatNodes, isStale } from './format-nodes.ts';
import { withClient } from './with-client.ts';
import { outputFormat, renderData } from './output-format.ts';
import { addWatchOption, renderWatching } from './watch.ts';
import type { WatchFlags } from './watch.ts';

export function registerNodes(program: Command, io: CliIo): void {
  addConnectionOptions(addWatchOption(program.command('nodes').description('list every node this site knows (on the cloud, those of every site), up or dead, with how long ago each was last seen'))).action(
    async (flags: ConnectionFlags & WatchFlags) => {
      const format = outputFormat(flags);
      await withClient(flags, io, (client) =>
        renderWatching(flags, io, async () => {
          const nodes = await client.listNodes();
          const now = Date.now();
          if (format) return io.out(await renderData(format, nodes.map((n) => ({ ...n, stale: isStale(n, now), lastSeenAgoMs: now - n.lastSeen }))));
          if (nodes.length === 0) return io.out(`no node is registered on site "${client.site}"; start one with \`cairn up\``);
          for (const line of formatNodes(nodes, now)) io.out(line);
        }, { data: format !== undefined }),
      );
    },
  );
}
