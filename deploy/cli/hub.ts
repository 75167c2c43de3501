import type { Command } from 'commander';
import { CairnError, DeployCodes, assertName } from '../../protocols/index.ts';
import type { DeviceClient } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { formatDuration } from './format-duration.ts';
import { formatTable } from './format-table.ts';
import { integerOption } from './option-parsers.ts';
import { outputFormat, renderData } from './output-format.ts';
import { withClient } from './with-client.ts';

/** `cairn hub clients` as a table: connected devices, oldest first; how long from `now`. */
export function formatDeviceClients(clients: readonly DeviceClient[], now: number): string[] {
  return formatTable(
    [
      { header: 'CLIENT', value: (c: DeviceClient) => c.client },
      { header: 'USER', value: (c: DeviceClient) => c.user ?? '-' },
      { header: 'ADDRESS', value: (c: DeviceClient) => c.address },
      { header: 'CONNECTED', value: (c: DeviceClient) => formatDuration(Math.max(0, now - c.since)), align: 'right' },
    ],
    clients,
  );
}

export function registerHub(program: Command, io: CliIo): void {
  const hub = program.command('hub').description("the site's MQTT devices, as its cairn/hub actor sees them");
  addConnectionOptions(
    hub
      .command('clients')
      .description('list the devices connected to the site: client id, user, address, how long (as the server showed them within the last second)')
      .option('--hub <id>', 'the hub actor (default: the one running on the site)')
      .option('--timeout <ms>', 'how long to wait for the hub', integerOption('--timeout', 1), 5_000),
  ).action(async (flags: ConnectionFlags & { hub?: string; timeout: number }) => {
    if (flags.hub !== undefined) assertName(flags.hub, 'actor id');
    await withClient(flags, io, async (client) => {
      const id = flags.hub ?? (await client.listActors()).results.find((a) => a.behaviour === 'hub' && a.status === 'running')?.id;
      if (id === undefined) throw new CairnError(DeployCodes.CLI_ACTOR_NOT_RUNNING, `no cairn/hub actor runs on site "${client.site}": apply one (docs/hub.md), or name it with --hub`);
      const status = await client.ask<{ clients?: DeviceClient[] }>(id, { type: 'status' }, { timeout: flags.timeout });
      const clients = status?.clients ?? [];
      const format = outputFormat(flags);
      if (format) return io.out(await renderData(format, clients));
      if (clients.length === 0) return io.out(`no devices connected to site "${client.site}"`);
      for (const line of formatDeviceClients(clients, Date.now())) io.out(line);
    });
  });
}
