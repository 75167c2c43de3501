import { access, chmod, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';
import { renderNatsServerConfig } from '../nats-server/index.ts';
import { planSites } from './site-plan.ts';
import type { PlanOptions, SitePlan } from './site-plan.ts';
import type { SitesFile } from './sites-file.ts';

export interface InitSitesOptions extends Omit<PlanOptions, 'outDir'> {
  /** Where the site directories go. @default the sites file's dataDir */
  readonly outDir?: string;
  /** Rewrite existing files (with new passwords). @default false */
  readonly force?: boolean;
}

export interface InitSitesResult {
  readonly outDir: string;
  readonly sites: readonly SitePlan[];
  /** Every file written, in order. */
  readonly written: readonly string[];
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

// Both files hold leaf passwords (the cloud's lists every edge's; an edge's is in its remote URL).
const SECRET_MODE = 0o600;

async function writeSecret(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: SECRET_MODE });
  // `mode` applies only when the file is created; an overwritten file keeps its old mode.
  await chmod(path, SECRET_MODE);
}

/**
 * Writes `<outDir>/<site>/nats-server.conf` and `site.json` for every site of `sites`. Refuses
 * (CAIRN_SITE_FILES_EXIST) to overwrite any of them unless `force`, because every run makes new
 * leaf passwords that running sites would not know.
 */
export async function initSites(sites: SitesFile, opts: InitSitesOptions = {}): Promise<InitSitesResult> {
  const outDir = resolve(opts.outDir ?? sites.dataDir);
  const plans = planSites(sites, { ...opts, outDir });
  if (opts.force !== true) {
    const existing: string[] = [];
    for (const p of plans) for (const path of [p.configPath, p.siteFilePath]) if (await exists(path)) existing.push(path);
    if (existing.length > 0) {
      throw new CairnError(
        DeployCodes.SITE_FILES_EXIST,
        `site files already exist (${existing.join(', ')}); init makes new leaf passwords, so it does not overwrite them. ` +
          'Pass --force to rewrite them (then restart every site with `cairn site up`), or pass another --data-dir.',
        { details: { outDir, existing } },
      );
    }
  }
  const written: string[] = [];
  for (const p of plans) {
    await mkdir(p.dir, { recursive: true, mode: 0o700 });
    await writeSecret(p.configPath, renderNatsServerConfig(p.config));
    await writeSecret(p.siteFilePath, `${JSON.stringify(p.file, null, 2)}\n`);
    written.push(p.configPath, p.siteFilePath);
  }
  return { outDir, sites: plans, written };
}
