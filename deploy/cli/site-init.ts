import type { Command } from 'commander';
import type { InitSitesResult } from '../site/index.ts';
import type { CliIo } from './cli-io.ts';
import { formatTable } from './format-table.ts';
import { addDataDirOption, dataDirOf } from './data-dir-option.ts';
import type { DataDirFlags } from './data-dir-option.ts';

interface InitFlags extends DataDirFlags {
  readonly file: string;
  readonly force?: boolean;
}

export function registerSiteInit(site: Command, io: CliIo): void {
  addDataDirOption(
    site
      .command('init')
      .description('write a nats-server config, a site.json and TLS files (a CA, a server certificate) for every site of a sites file, with a new leaf password per edge')
      .requiredOption('-f, --file <sites.yaml>', 'the sites file (apiVersion: cairn.dev/v1, kind: Sites)'),
    "where to write <dir>/<site>/ (default: the file's dataDir, ./.cairn-sites next to it)",
    '--out',
  )
    .option('--force', 'rewrite existing files (new passwords: restart every site afterwards)')
    .action(async (flags: InitFlags) => {
      const { initSites, loadSitesFile } = await import('../site/index.ts');
      const sites = await loadSitesFile(flags.file);
      const outDir = dataDirOf(flags, io);
      const result = await initSites(sites, { ...(outDir === undefined ? {} : { outDir }), force: flags.force === true });
      printInit(result, outDir, flags, io);
    });
}

function printInit(result: InitSitesResult, outDir: string | undefined, flags: InitFlags, io: CliIo): void {
  io.out(`cairn site init: ${result.sites.length} sites from ${flags.file} in ${result.outDir}`);
  const columns = [
    { header: 'SITE', value: (s: InitSitesResult['sites'][number]) => s.site },
    { header: 'ROLE', value: (s: InitSitesResult['sites'][number]) => s.role },
    { header: 'URL', value: (s: InitSitesResult['sites'][number]) => s.file.url },
    { header: 'PEERS', value: (s: InitSitesResult['sites'][number]) => s.file.peers.map((p) => p.site).join(',') },
  ];
  for (const line of formatTable(columns, result.sites)) io.out(`  ${line}`);
  io.out('');
  io.out('wrote (mode 0600 where they hold leaf passwords or private keys):');
  for (const path of result.written) io.out(`  ${path}`);
  const kept = [...result.tls].filter(([, t]) => !t.newCa).map(([s]) => s);
  if (kept.length > 0) io.out(`kept the CA of ${kept.join(', ')} (device certificates chain to it; remove <site>/tls/ to make a new one)`);
  io.out('');
  io.out('TLS for a hub listener on a site, e.g. the first one (devices trust its ca.pem):');
  const [first] = result.sites;
  const tls = result.tls.get(first!.site)!;
  io.out(`  tls: { cert: ${tls.cert}, key: ${tls.key}, ca: ${tls.ca} }`);
  io.out(`a device certificate from that CA: npx cairn site cert ${first!.site} --subject "CN=sensor-1" --data-dir ${outDir ?? result.outDir}`);
  io.out('');
  const dirFlag = ` --data-dir ${outDir ?? result.outDir}`;
  const [cloud, ...edges] = result.sites;
  io.out('next, one terminal (or machine) per site, the cloud first:');
  io.out(`  npx cairn site up ${cloud!.site}${dirFlag}`);
  for (const e of edges) io.out(`  npx cairn site up ${e.site}${dirFlag}`);
}
