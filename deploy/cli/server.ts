import type { Command } from 'commander';
import { match } from 'ts-pattern';
import { MIN_NATS_SERVER_VERSION, PINNED_NATS_SERVER_VERSION } from '../../protocols/index.ts';
import { installNatsTools, locateNatsServer, NatsTools } from '../nats-server/index.ts';
import type { InstallProgress } from '../nats-server/index.ts';
import type { CliIo } from './cli-io.ts';
import { formatDuration } from './format-duration.ts';

/** `cairn server install` and `cairn server version`: the nats-server Cairn runs on. */
export function registerServer(program: Command, io: CliIo): void {
  const server = program.command('server').description(`the nats-server Cairn runs on: install the pinned v${PINNED_NATS_SERVER_VERSION}, show which one is used`);
  server
    .command('install')
    .description(`build nats-server v${PINNED_NATS_SERVER_VERSION} and the NATS CLI (nats) v${NatsTools.cli.version} from their Go modules into the Go bin folder; skipped when already there`)
    .option('--no-cli', 'install nats-server only, not the NATS CLI')
    .action(async (flags: { cli: boolean }) => {
      const tools = flags.cli ? [NatsTools.server, NatsTools.cli] : [NatsTools.server];
      await installNatsTools({ tools, env: io.env, onProgress: (p) => io.out(describeProgress(p)) });
      const found = await locateNatsServer({ env: io.env });
      io.out(`cairn will run nats-server v${found.version} (${found.path})`);
    });
  server
    .command('version')
    .description('show the nats-server Cairn would start, its version, and the minimum it needs')
    .action(async () => {
      const found = await locateNatsServer({ env: io.env });
      io.out(`nats-server v${found.version} (${found.path}); minimum v${MIN_NATS_SERVER_VERSION}, pinned v${PINNED_NATS_SERVER_VERSION}`);
    });
}

function describeProgress(p: InstallProgress): string {
  const name = `${p.tool.name} v${p.tool.version}`;
  return match(p)
    .with({ type: 'present' }, ({ path }) => `${name}: already installed at ${path}`)
    .with({ type: 'building' }, ({ command, replacing }) => `${name}: building with \`${command}\` (about a minute the first time)${replacing ? `; replaces v${replacing.version} at ${replacing.path}` : ''}`)
    .with({ type: 'go-output' }, ({ line }) => `  ${line}`)
    .with({ type: 'still-building' }, ({ elapsedMs }) => `${name}: still building (${formatDuration(elapsedMs)})`)
    .with({ type: 'built' }, ({ path, elapsedMs }) => `${name}: built in ${formatDuration(elapsedMs)} at ${path}`)
    .exhaustive();
}
