import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { registerSiteCert } from './site-cert.ts';
import { registerSiteInit } from './site-init.ts';
import { registerSiteJoin } from './site-join.ts';
import { registerSiteUp } from './site-up.ts';

/** `cairn site init`, `site up`, `site join` and `site cert`: multi-site deployments from a sites file. */
export function registerSite(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const site = program.command('site').description('multi-site deployments: generate configs from a sites file (init) and start one site (up), add a standby node to it (join), issue device certificates (cert)');
  registerSiteInit(site, io);
  registerSiteUp(site, io, setExitCode);
  registerSiteJoin(site, io, setExitCode);
  registerSiteCert(site, io);
}
