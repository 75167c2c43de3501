import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { addAppOptions } from './apply.ts';
import type { ClientFlags } from './with-client.ts';
import { withClient } from './with-client.ts';
import { formatBytes } from './format-ps.ts';
import { formatTable } from './format-table.ts';
import { outputFormat, renderData } from './output-format.ts';

export function registerArtifacts(program: Command, io: CliIo): void {
  const artifacts = program.command('artifacts').description('the code `cairn apply` delivered to the sites (the cloud\'s cairn_artifacts store)');
  addAppOptions(artifacts.command('ls').description('list stored artifacts: digest (for an image: its id), kind, size, what they were built from, the revisions (app@revision) that use them')).action(async (flags: ClientFlags) => {
    await withClient(flags, io, async (client) => {
      const list = await client.listArtifacts();
      const format = outputFormat(flags);
      if (format) return io.out(await renderData(format, list));
      if (list.length === 0) return io.out('no artifacts stored (an app whose behaviours are local files stores them when applied)');
      const rows = formatTable(
        [
          { header: 'DIGEST', value: (a) => `sha256:${a.sha256.slice(0, 12)}` },
          { header: 'KIND', value: (a) => a.kind },
          { header: 'SIZE', value: (a) => formatBytes(a.size), align: 'right' },
          { header: 'STORED', value: (a) => new Date(a.storedAt).toISOString() },
          { header: 'SOURCE', value: (a) => a.source },
          { header: 'USED BY', value: (a) => (a.usedBy.length > 0 ? a.usedBy.join(',') : '-') },
        ],
        list,
      );
      for (const line of rows) io.out(line);
    });
  });
}
