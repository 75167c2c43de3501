import type { Command } from 'commander';
import { CairnError, KernelCodes } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import { ExitCodes } from './exit-codes.ts';
import { labelOption } from './option-parsers.ts';
import { catchStopSignals } from './stop-signals.ts';
import { runUntilStopped } from './run-until-stopped.ts';
import { READY_PREFIX, standbyLine } from './status-lines.ts';
import { APP_DIR_HELP, DEFAULT_SITES_DIR, addDataDirOption, dataDirOf } from './data-dir-option.ts';
import type { DataDirFlags } from './data-dir-option.ts';

interface SiteJoinFlags extends DataDirFlags {
  readonly appDir?: string;
  readonly node?: string;
  readonly label?: Record<string, string>;
}


export function registerSiteJoin(site: Command, io: CliIo, setExitCode: (code: number) => void): void {
  addDataDirOption(
    site
      .command('join')
      .description('start one more node on a site whose nats-server already runs (`cairn site up` elsewhere on this machine, or systemd): it waits as standby while another node leads the site and takes over when the leader stops or its lease expires')
      .argument('<name>', 'the site to join (a name from the sites file)'),
    'the directory `cairn site init` wrote to (default: .cairn-sites)',
    '--dir',
  )
    .option('--node <id>', 'node id, unique on the site (default: the host name)')
    .option('--label <key=value>', "a label placement can select on (repeatable), added to the site's", labelOption('--label'))
    .option('--app-dir <dir>', APP_DIR_HELP)
    .action(async (name: string, flags: SiteJoinFlags) => {
      setExitCode(await siteJoin(name, flags, io));
    });
}

async function siteJoin(name: string, flags: SiteJoinFlags, io: CliIo): Promise<number> {
  const signals = catchStopSignals(io);
  const giveUp = new AbortController();
  void signals.next().then(() => giveUp.abort());
  try {
    let failed!: (why: string) => void;
    const failure = new Promise<string>((r) => (failed = r));
    let lastLeader: string | undefined;
    const { joinSite } = await import('../site/index.ts');
    const site = await joinSite({
      dir: dataDirOf(flags, io) ?? DEFAULT_SITES_DIR,
      site: name,
      ...(flags.node === undefined ? {} : { node: flags.node }),
      ...(flags.label === undefined ? {} : { labels: flags.label }),
      ...(flags.appDir === undefined ? {} : { appDir: flags.appDir }),
      signal: giveUp.signal,
      onStandby: (leader) => {
        if (leader !== lastLeader) io.out(standbyLine(leader, name));
        lastLeader = leader;
      },
      system: {
        onConnection: (what) => {
          if (what === 'disconnect') io.err(`warning: lost the connection to site ${name}'s server; reconnecting (a standby cannot take over while its server is gone)`);
          else if (what === 'reconnect') io.out(`reconnected to site ${name}'s server`);
        },
      },
    }).catch((err: unknown) => {
      if (err instanceof CairnError && err.code === KernelCodes.ABORTED) return undefined;
      throw err;
    });
    if (!site) {
      io.out('stopped while waiting as standby');
      return ExitCodes.ok;
    }
    if (lastLeader !== undefined && lastLeader !== site.system.node.id) io.out(`leader ${lastLeader} is gone (it stopped, or did not renew its lease in time): this node takes the site over`);
    io.out(`${READY_PREFIX} node ${site.system.node.id} leads site ${site.site} at ${site.url} (log ${site.nodeLogPath}); press Ctrl-C to stop`);
    return await runUntilStopped(site, signals, failure, failed, io, 'draining the node…');
  } finally {
    signals.dispose();
  }
}
