import type { Command } from 'commander';
import type { InitSitesResult } from '../site/index.ts';
import type { CliIo } from './cli-io.ts';
import { formatTable } from './format-table.ts';

interface InitFlags {
  readonly file: string;
  readonly out?: string;
  readonly force?: boolean;
}

export function registerSiteInit(site: Command, io: CliIo): void {
  site
    .command('init')
    .description('write a nats-server config and a site.json for every site of a sites file, with a new leaf password per edge')
    .requiredOption('-f, --file <sites.yaml>', 'the sites file (apiVersion: cairn.dev/v1, kind: Sites)')
    .option('--out <dir>', "where to write <dir>/<site>/ (default: the file's dataDir, ./.cairn-sites next to it)")
    .option('--force', 'rewrite existing files (new passwords: restart every site afterwards)')
    .action(async (flags: InitFlags) => {
      const { initSites, loadSitesFile } = await import('../site/index.ts');
      const sites = await loadSitesFile(flags.file);
      const result = await initSites(sites, { ...(flags.out === undefined ? {} : { outDir: flags.out }), force: flags.force === true });
      printInit(result, flags, io);
    });
}

function printInit(result: InitSitesResult, flags: InitFlags, io: CliIo): void {
  io.out(`cairn site init: ${result.sites.length} sites from ${flags.file} in ${result.outDir}`);
  const columns = [
    { header: 'SITE', value: (s: InitSitesResult['sites'][number]) => s.site },
    { header: 'ROLE', value: (s: InitSitesResult['sites'][number]) => s.role },
    { header: 'URL', value: (s: InitSitesResult['sites'][number]) => s.file.url },
    { header: 'PEERS', value: (s: InitSitesResult['sites'][number]) => s.file.peers.map((p) => p.site).join(',') },
  ];
  for (const line of formatTable(columns, result.sites)) io.out(`  ${line}`);
  io.out('');
  io.out('wrote (mode 0600: they hold the leaf passwords):');
  for (const path of result.written) io.out(`  ${path}`);
  io.out('');
  const dirFlag = flags.out === undefined ? ` --dir ${result.outDir}` : ` --dir ${flags.out}`;
  const [cloud, ...edges] = result.sites;
  io.out('next, one terminal (or machine) per site, the cloud first:');
  io.out(`  npx cairn site up ${cloud!.site}${dirFlag}`);
  for (const e of edges) io.out(`  npx cairn site up ${e.site}${dirFlag}`);
}
