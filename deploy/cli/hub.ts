import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CairnError, DeployCodes, assertName } from '../../protocols/index.ts';
import type { Application } from '../../control-plane/index.ts';
import type { HubCheckLine } from './hub-check-report.ts';
import type { DeviceClient } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions } from './connection-options.ts';
import { formatDuration } from './format-duration.ts';
import { formatTable } from './format-table.ts';
import { integerOption } from './option-parsers.ts';
import { outputFormat, renderData } from './output-format.ts';
import { withClient } from './with-client.ts';
import { ExitCodes } from './exit-codes.ts';

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

export function registerHub(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
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

  addConnectionOptions(
    hub
      .command('check')
      .description("check each device principal's permissions against the routes: where what it may publish goes, what would be dropped or reach no actor; then publishes and subscribes as each principal on a throwaway nats-server configured as the site's would be, and reports what that server dropped; exits 1 when it finds something")
      .option('-f, --file <path>', 'check this manifest instead of the applications on the site')
      .option('--app <name>', 'only this application')
      .option('--user <principal>', 'with --topic: the principal (user name, or certificate subject) that publishes')
      .option('--topic <topic>', 'with --user: one MQTT topic to follow')
      .option('--no-probe', 'reason from the manifest only: start no throwaway nats-server'),
  ).action(async (flags: ConnectionFlags & { file?: string; app?: string; user?: string; topic?: string; probe: boolean }) => {
    if ((flags.user === undefined) !== (flags.topic === undefined)) throw new CairnError(DeployCodes.CLI_USAGE, 'give --user and --topic together, or neither');
    if (flags.app !== undefined) assertName(flags.app, 'application name');
    // Manifest handling and the hub's schema load only for this command.
    const [{ hubCheckLines, hubCheckTopic, hubs }, { formatDiagnostics, parseManifestWithModules }, { hubProbePlans, hubProbeLines }] = await Promise.all([
      import('./hub-check-report.ts'),
      import('../../control-plane/index.ts'),
      import('./hub-probe-plan.ts'),
    ]);
    // One topic of one principal is followed in the manifest only.
    const probing = flags.probe && flags.user === undefined;
    const probed = async (app: Application): Promise<HubCheckLine[]> => {
      const { probeHub } = await import('./hub-probe.ts');
      const lines: HubCheckLine[] = [];
      for (const plan of hubProbePlans(app, hubs(app))) {
        const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
        io.err(`${app.metadata.name}/${plan.hub}: trying ${count(plan.publishes.length, 'publish', 'publishes')} and ${count(plan.subscribes.length, 'subscription', 'subscriptions')} of ${count(plan.principals.length, 'principal', 'principals')} on a throwaway nats-server...`);
        lines.push(...hubProbeLines(plan, await probeHub(plan)));
      }
      return lines;
    };
    const report = async (apps: readonly Application[]): Promise<void> => {
      const withHub = apps.filter((a) => a.spec.actors.some((x) => x.module === 'cairn/hub'));
      if (withHub.length === 0) throw new CairnError(DeployCodes.CLI_ACTOR_NOT_RUNNING, `no application ${flags.app ? `"${flags.app}" ` : ''}with a cairn/hub actor to check`);
      const results: { app: string; lines: HubCheckLine[] }[] = [];
      for (const app of withHub) {
        const lines = flags.user !== undefined ? hubCheckTopic(app, flags.user, flags.topic!) : hubCheckLines(app);
        results.push({ app: app.metadata.name, lines: probing ? [...lines, ...(await probed(app))] : lines });
      }
      const format = outputFormat(flags);
      if (format) io.out(await renderData(format, results));
      else {
        for (const r of results) {
          io.out(`${r.app}:`);
          for (const l of r.lines) io.out(`  ${l.level === 'ok' ? 'ok  ' : 'warn'}  ${l.text}`);
        }
      }
      if (results.some((r) => r.lines.some((l) => l.level === 'warn'))) setExitCode(1);
    };
    if (flags.file !== undefined) {
      const parsed = await parseManifestWithModules(await readFile(flags.file, 'utf8'), flags.file, dirname(flags.file));
      if (!parsed.ok) {
        io.err(formatDiagnostics(parsed.errors, { positions: true, source: flags.file }));
        return setExitCode(ExitCodes.error);
      }
      return report([parsed.app]);
    }
    await withClient(flags, io, async (client) => {
      const names = flags.app !== undefined ? [flags.app] : (await client.listApps()).map((a) => a.name);
      await report(await Promise.all(names.map(async (n) => (await client.getApp(n)).app)));
    });
  });
}
