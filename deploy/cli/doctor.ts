import type { Command } from 'commander';
import { jetstreamManager } from '@nats-io/jetstream';
import { siteOfServer } from '../../client/index.ts';
import type { CliIo } from './cli-io.ts';
import type { ConnectionFlags } from './connection-options.ts';
import { addConnectionOptions, resolveConnection } from './connection-options.ts';
import { checkDisk, checkDocker, checkJetStream, checkLinks, checkNatsServer, checkNodes, checkSite } from './doctor-checks.ts';
import { doctorExitCode, formatChecks } from './doctor-report.ts';
import type { CheckResult } from './doctor-report.ts';
import { defaultDataDir } from '../embedded/up-file.ts';
import { outputFormat, renderData } from './output-format.ts';

const NEEDS_SITE = ['jetstream', 'nodes', 'clocks', 'links', 'site clocks'];

export function registerDoctor(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  addConnectionOptions(
    program
      .command('doctor')
      .description('check what a site needs, one line per check with a fix for each problem: nats-server, the site, JetStream, its nodes, clocks, leaf links, Docker, disk; exits 1 when a check fails'),
  ).action(async (flags: ConnectionFlags) => {
    const results: CheckResult[] = [await checkNatsServer(io.env)];
    const connection = await resolveConnection(flags, io.env);
    const site = await checkSite(connection);
    results.push(site.result);
    if (site.nc) {
      try {
        const js = await checkJetStream(site.nc);
        results.push(js);
        if (js.status === 'ok') {
          // Told no site: the server's own, as every other command learns it.
          const learned = connection.siteSource === 'default' ? await siteOfServer(await jetstreamManager(site.nc)) : undefined;
          const name = learned ?? connection.site;
          if (learned) results[results.indexOf(site.result)] = { ...site.result, detail: `${connection.server} answers (site ${name}, from the server)` };
          results.push(...(await checkNodes(site.nc, name)));
          results.push(...(await checkLinks(site.nc, name)));
        }
      } finally {
        await site.nc.close();
      }
    }
    for (const name of NEEDS_SITE) if (!results.some((r) => r.name === name)) results.push({ name, status: 'skip', detail: 'needs the site and its JetStream' });
    results.push(await checkDocker());
    results.push(await checkDisk(flags.dataDir ?? defaultDataDir(io.env)));
    const format = outputFormat(flags);
    if (format) io.out(await renderData(format, results));
    else for (const line of formatChecks(results)) io.out(line);
    setExitCode(doctorExitCode(results));
  });
}
