import type { Command } from 'commander';
import type { AppDetails, AppSummary } from '../../control-plane/index.ts';
import type { SiteAppStatus } from '../../client/index.ts';
import { assertName } from '../../protocols/index.ts';
import type { AppFlags } from './apply.ts';
import { addAppOptions } from './apply.ts';
import type { CliIo } from './cli-io.ts';
import { formatTable } from './format-table.ts';
import { formatBytes } from './format-ps.ts';
import { withClient } from './with-client.ts';
import { outputFormat, renderData } from './output-format.ts';
import { ExitCodes } from './exit-codes.ts';

export function registerGet(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  addAppOptions(
    program
      .command('get')
      .description('list applications (revision, applied at, actors); with an app: its revisions and what each site reports (exit 1 while a site reports it failed)')
      .argument('[app]', 'application name (metadata.name)'),
  ).action(async (app: string | undefined, flags: AppFlags) => {
    if (app !== undefined) assertName(app, 'application name');
    await withClient(flags, io, async (client) => {
      if (app === undefined) {
        const apps = await client.listApps();
        const format = outputFormat(flags);
        if (format) return io.out(await renderData(format, apps));
        if (apps.length === 0) return io.out('no applications; apply one with `cairn apply -f app.yaml`');
        for (const line of formatApps(apps)) io.out(line);
        return;
      }
      const details = await client.getApp(app);
      const status = await client.appStatus(details);
      // Scripts and operators see a failing site in the exit code, whatever the output form.
      if (status.some((s) => s.status?.state === 'failed')) setExitCode(ExitCodes.error);
      const format = outputFormat(flags);
      if (format) return io.out(await renderData(format, { ...details, status }));
      for (const line of formatAppDetails(details, status)) io.out(line);
    });
  });
}

export function formatApps(apps: readonly AppSummary[]): string[] {
  return formatTable<AppSummary>(
    [
      { header: 'NAME', value: (a) => a.name },
      { header: 'REVISION', value: (a) => a.revision, align: 'right' },
      { header: 'APPLIED', value: (a) => new Date(a.appliedAt).toISOString() },
      { header: 'ACTORS', value: (a) => a.actors.join(',') },
    ],
    apps,
  );
}

/** A site's report, or `unknown` when the site could not be asked (link down, no controller). */
export type SiteStatus = SiteAppStatus;

export function formatAppDetails(d: AppDetails, status: readonly SiteStatus[]): string[] {
  const labels = Object.entries(d.app.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const lines = [`application ${d.name}: revision ${d.revision}, applied ${new Date(d.appliedAt).toISOString()} from ${d.source}`, ...(labels.length > 0 ? [`labels: ${labels.join(', ')}`] : []), 'actors:'];
  for (const a of d.app.spec.actors) lines.push(`  ${a.id} (${a.mode}, ${a.placement.sites ? `sites ${a.placement.sites.join(',')}` : 'every site'})`);
  lines.push('revisions:');
  const rows = d.revisions.map((r) => (r.type === 'applied' ? { rev: r.revision, at: r.record.appliedAt, what: r.record.source } : { rev: r.revision, at: r.at, what: '(deleted)' }));
  lines.push(
    ...formatTable(
      [
        { header: 'REVISION', value: (r: (typeof rows)[number]) => r.rev, align: 'right' },
        { header: 'APPLIED', value: (r: (typeof rows)[number]) => new Date(r.at).toISOString() },
        { header: 'SOURCE', value: (r: (typeof rows)[number]) => (r.rev === d.revision ? `${r.what} (current)` : r.what) },
      ],
      rows,
    ).map((l) => `  ${l}`),
  );
  lines.push('sites:');
  lines.push(
    ...formatTable<SiteStatus>(
      [
        { header: 'SITE', value: (s) => s.site },
        { header: 'STATE', value: stateOf },
        { header: 'REVISION', value: (s) => s.status?.revision ?? '-', align: 'right' },
        { header: 'ACTORS', value: (s) => s.status?.actors.join(',') ?? '' },
        { header: 'ERROR', value: (s) => s.status?.error ? `${s.status.error.code}: ${s.status.error.message}` : '' },
      ],
      status,
    ).map((l) => `  ${l}`),
  );
  return lines;
}

/** A site's state; while fetching a big artifact, with how much of it has arrived. */
export function stateOf(s: SiteStatus): string {
  if (!s.reachable) return 'unknown (unreachable)';
  const status = s.status;
  if (!status) return 'not running';
  const p = status.progress;
  return status.state === 'fetching' && p ? `fetching (${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)})` : status.state;
}
