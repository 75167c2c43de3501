import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PeerSite } from '../../kernel/index.ts';
import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';
import type { NatsServerConfig } from '../nats-server/index.ts';

export const SITE_FILE_NAME = 'site.json';
export const SITE_CONFIG_FILE_NAME = 'nats-server.conf';

/**
 * What `cairn site init` writes to `<dir>/<site>/site.json`: everything `cairn site up` needs to
 * start the site's nats-server and a node on it. It holds leaf passwords (in `natsServer`), so it
 * is written with mode 0600 like the config.
 */
export interface SiteFile {
  readonly apiVersion: 'cairn.dev/v1';
  readonly kind: 'Site';
  readonly site: string;
  readonly role: 'cloud' | 'edge';
  /** JetStream domain of the site's server (the site name). */
  readonly domain: string;
  /** Client URL a node on this machine connects to. */
  readonly url: string;
  /** Sites whose outboxes this site's mailbox stream sources (NodeOptions.peers). */
  readonly peers: readonly PeerSite[];
  /** An edge's cloud: the JetStream domain whose desired applications (cairn_apps) it mirrors. */
  readonly cloudDomain?: string;
  /** Labels the site's nodes register with. */
  readonly labels: Readonly<Record<string, string>>;
  /** The most actor instances one application may create on this site (the sites file's `maxInstancesPerApp`). @default 10,000 */
  readonly maxInstancesPerApp?: number;
  /** The typed config nats-server.conf was rendered from. */
  readonly natsServer: NatsServerConfig;
}

export function siteDir(dir: string, site: string): string {
  return join(dir, site);
}

/** Reads `<dir>/<site>/site.json`. CAIRN_SITE_NOT_INITIALIZED when missing, CAIRN_SITE_FILE_INVALID when unreadable. */
export async function readSiteFile(dir: string, site: string): Promise<SiteFile> {
  const path = join(siteDir(dir, site), SITE_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
    throw new CairnError(
      DeployCodes.SITE_NOT_INITIALIZED,
      `site ${JSON.stringify(site)} has no ${path}: run \`cairn site init -f sites.yaml\` first, and pass the --data-dir it wrote to (and a site name it listed)`,
      { cause, details: { dir, site, path } },
    );
  }
  const invalid = (why: string, cause?: unknown): never => {
    throw new CairnError(DeployCodes.SITE_FILE_INVALID, `${path} ${why}; regenerate it with \`cairn site init -f sites.yaml --force\``, { cause, details: { path } });
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return invalid(`is not JSON (${(cause as Error).message})`, cause);
  }
  const o = value as Partial<Record<keyof SiteFile, unknown>>;
  const bad: string[] = [];
  if (typeof o !== 'object' || o === null) return invalid('is not a JSON object');
  if (o.kind !== 'Site') bad.push('kind');
  if (typeof o.site !== 'string') bad.push('site');
  if (o.role !== 'cloud' && o.role !== 'edge') bad.push('role');
  if (typeof o.domain !== 'string') bad.push('domain');
  if (typeof o.url !== 'string') bad.push('url');
  if (!Array.isArray(o.peers) || !o.peers.every((p) => typeof (p as PeerSite)?.site === 'string')) bad.push('peers');
  if (o.cloudDomain !== undefined && typeof o.cloudDomain !== 'string') bad.push('cloudDomain');
  if (typeof o.labels !== 'object' || o.labels === null) bad.push('labels');
  if (typeof o.natsServer !== 'object' || o.natsServer === null || typeof (o.natsServer as NatsServerConfig).port !== 'number') bad.push('natsServer');
  if (bad.length > 0) return invalid(`has missing or malformed fields: ${bad.join(', ')}`);
  if (o.site !== site) return invalid(`is for site ${JSON.stringify(o.site)}, not ${JSON.stringify(site)}`);
  return value as SiteFile;
}
