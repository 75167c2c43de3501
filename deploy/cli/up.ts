import type { Command } from 'commander';
import { defaultDataDir } from '../embedded/up-file.ts';
import type { EmbeddedSite } from '../embedded/index.ts';
import type { ActorEvent } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import { catchStopSignals } from './stop-signals.ts';
import { runUntilStopped } from './run-until-stopped.ts';
import { formatEvent } from './format-event.ts';
import { formatTable } from './format-table.ts';
import { portOption } from './option-parsers.ts';
import { APP_DIR_HELP } from './data-dir-option.ts';
import { READY_PREFIX, standbyLine } from './status-lines.ts';

interface UpFlags {
  readonly appDir?: string;
  readonly dataDir: string;
  readonly natsServer?: string;
  readonly port?: number;
  readonly example: string;
  readonly site: string;
}


export function registerUp(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('up')
    .description('start a local site: nats-server with JetStream, one node and an example application; Ctrl-C stops it all')
    .option('--data-dir <dir>', 'where the JetStream store, logs and cairn-up.json live', defaultDataDir(io.env))
    .option('--nats-server <path>', 'the nats-server binary (default: $NATS_SERVER, PATH, /usr/sbin, /usr/local/sbin, /usr/local/bin)')
    .option('--port <n>', 'client port on 127.0.0.1 (default: a free port)', portOption('--port'))
    .option('--example <name>', 'example app from examples/<name>/app.ts, or "none"', 'hello')
    .option('--site <name>', 'site name', 'local')
    .option('--app-dir <dir>', APP_DIR_HELP)
    .action(async (flags: UpFlags) => {
      setExitCode(await up(flags, io));
    });
}

async function up(flags: UpFlags, io: CliIo): Promise<number> {
  // Signals are caught from the start: one that arrives while the site starts stops it as soon
  // as it is up (the default action would exit without stopping nats-server).
  const signals = catchStopSignals(io);
  try {
    // Events that arrive while the summary is being printed are held and shown after it.
    let held: ActorEvent[] | undefined = [];
    let failed!: (why: string) => void;
    const failure = new Promise<string>((r) => (failed = r));
    const { startEmbeddedSite } = await import('../embedded/index.ts');
    const site = await startEmbeddedSite({
      dataDir: flags.dataDir,
      site: flags.site,
      example: flags.example,
      ...(flags.appDir === undefined ? {} : { appDir: flags.appDir }),
      ...(flags.natsServer === undefined ? {} : { natsServer: flags.natsServer }),
      ...(flags.port === undefined ? {} : { port: flags.port }),
      onEvent: (e) => (held ? held.push(e) : io.out(formatEvent(e))),
      // Said as it happens: the start takes seconds (nats-server, JetStream, the lease, the example).
      onProgress: (step) => io.out(`… ${step}`),
      onServerExit: (exit) => failed(`nats-server exited unexpectedly (code ${String(exit.code)}, signal ${String(exit.signal)}); see the log in ${flags.dataDir}`),
    });
    printSummary(site, flags, io);
    io.out(`${READY_PREFIX} site ${site.site} runs at ${site.url}; press Ctrl-C to stop`);
    for (const e of held) io.out(formatEvent(e));
    held = undefined;

    // The server belongs to the site: a node that loses the lease waits as a standby beside it.
    const rejoin = (lost: EmbeddedSite, signal: AbortSignal): Promise<EmbeddedSite> =>
      lost.rejoin({ signal, onStandby: (leader) => io.out(standbyLine(leader, site.site)) });
    return await runUntilStopped(site, signals, failure, failed, io, 'stopping the example, draining the node, stopping nats-server…', rejoin);
  } finally {
    signals.dispose();
  }
}


function printSummary(site: EmbeddedSite, flags: UpFlags, io: CliIo): void {
  const rows: [string, string][] = [
    ['nats-server', `v${site.natsVersion} (${site.natsBinary}), pid ${site.natsPid}`],
    ['url', site.url],
    ['data dir', site.dataDir],
    ['jetstream', site.storeDir],
    ['logs', `${site.natsLogPath}, ${site.nodeLogPath}`],
    ['site', site.site],
    ['node', `${site.node} (pid ${process.pid})`],
  ];
  io.out('cairn up');
  for (const line of formatTable([{ header: '', value: (r: [string, string]) => r[0] }, { header: '', value: (r: [string, string]) => r[1] }], rows).slice(1)) io.out(`  ${line}`);
  io.out('');
  const actors = site.actors();
  if (site.example === undefined) {
    io.out('no example application (--example none); spawn actors with the SDK against the URL above');
  } else {
    io.out(`example "${site.example.name}" runs ${actors.length} actor(s):`);
    const columns = [
      { header: 'ACTOR', value: (a: (typeof actors)[number]) => a.id },
      { header: 'BEHAVIOUR', value: (a: (typeof actors)[number]) => a.behaviour },
      { header: 'SUPERVISOR', value: (a: (typeof actors)[number]) => a.supervisor },
    ];
    for (const line of formatTable(columns, actors)) io.out(`  ${line}`);
    io.out('');
    io.out('try, in another terminal in this directory:');
    const dirHint = flags.dataDir === defaultDataDir(io.env) ? '' : ` --data-dir ${site.dataDir}`;
    for (const cmd of site.example.tryNext) io.out(`  ${addFlag(cmd, dirHint)}`);
  }
  io.out(`(commands find this site through ${site.upFilePath}; from elsewhere pass --server ${site.url})`);
  io.out('');
}

/** Inserts `flag` after the subcommand of a suggested command line ("npx cairn ps" + " --data-dir x"). */
function addFlag(cmd: string, flag: string): string {
  if (flag === '') return cmd;
  return cmd.replace(/npx cairn (?:dlq )?\w+/g, (c) => `${c}${flag}`);
}
