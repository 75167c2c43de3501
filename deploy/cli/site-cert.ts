import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { DEFAULT_SITES_DIR, addDataDirOption, dataDirOf } from './data-dir-option.ts';
import type { DataDirFlags } from './data-dir-option.ts';
import { integerOption } from './option-parsers.ts';

interface CertFlags extends DataDirFlags {
  readonly subject: string;
  readonly days?: number;
  readonly force?: boolean;
}

export function registerSiteCert(site: Command, io: CliIo): void {
  addDataDirOption(
    site
      .command('cert')
      .description("issue a device's client certificate from a site's CA (made by `cairn site init`), for a hub listener with tls.verify or tls.map")
      .argument('<site>', 'the site whose CA signs it (a name from the sites file)')
      .requiredOption('--subject <subject>', 'the device\'s subject as nats-server prints it, e.g. "CN=sensor-1,O=plant" (a certificate principal names the same text)'),
    'the directory `cairn site init` wrote to (default: .cairn-sites)',
    '--dir',
  )
    .option('--days <n>', 'how long it is valid (default: 825)', integerOption('--days', 1, 365))
    .option('--force', 'issue a new one for a subject that has one (the old one stays valid until it expires)')
    .action(async (name: string, flags: CertFlags) => {
      const { issueDeviceCertificate, siteDir } = await import('../site/index.ts');
      const dir = siteDir(resolve(dataDirOf(flags, io) ?? DEFAULT_SITES_DIR), name);
      const cert = await issueDeviceCertificate(dir, flags.subject, { ...(flags.days === undefined ? {} : { days: flags.days }), force: flags.force === true });
      io.out(`cairn site cert: ${cert.subject}, signed by site ${name}'s CA`);
      io.out(`  certificate  ${cert.cert}`);
      io.out(`  key          ${cert.key} (mode 0600: copy it to the device only)`);
      io.out(`  CA           ${cert.ca} (the device trusts the site's listener with it)`);
      io.out('');
      io.out("a hub principal for it (on an MQTT listener with tls: { …, ca, map: true }):");
      io.out(`  - { certificate: "${cert.subject}", publish: [...], subscribe: [...] }`);
    });
}
