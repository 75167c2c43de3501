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
  /** Each site's TLS files (for hub listeners and device certificates), by site. */
  readonly tls: ReadonlyMap<string, SiteTls>;
}

/** A site's TLS files `cairn site init` made or kept. */
export interface SiteTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Whether its CA was made by this run (false: the one there was kept, with the devices' certificates it signed). */
  readonly newCa: boolean;
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
 * Writes `<outDir>/<site>/nats-server.conf` and `site.json` for every site of `sites`, and its TLS
 * files under `<site>/tls/` (a CA, kept if there is one, and a server certificate). Refuses
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
  const tls = new Map<string, SiteTls>();
  // Loaded here only: X.509 needs a library (and its Reflect polyfill) that nothing else uses.
  const { makeSiteCertificates } = await import('./site-certificates.ts');
  for (const p of plans) {
    await mkdir(p.dir, { recursive: true, mode: 0o700 });
    await writeSecret(p.configPath, renderNatsServerConfig(p.config));
    await writeSecret(p.siteFilePath, `${JSON.stringify(p.file, null, 2)}\n`);
    written.push(p.configPath, p.siteFilePath);
    const certs = await makeSiteCertificates(p.dir, p.site, p.certificateNames);
    written.push(...certs.written);
    tls.set(p.site, { ca: certs.paths.ca, cert: certs.paths.cert, key: certs.paths.key, newCa: certs.newCa });
  }
  return { outDir, sites: plans, written, tls };
}
