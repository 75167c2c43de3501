import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { PeerSite } from '../../kernel/index.ts';
import { cloudSiteConfig, edgeSiteConfig } from '../nats-server/index.ts';
import type { NatsServerConfig } from '../nats-server/index.ts';
import { SITE_CONFIG_FILE_NAME, SITE_FILE_NAME, siteDir } from './site-file.ts';
import type { SiteFile } from './site-file.ts';
import type { SitesFile, SiteEntry } from './sites-file.ts';

/** One site's files, decided but not written. */
export interface SitePlan {
  readonly site: string;
  readonly role: 'cloud' | 'edge';
  readonly dir: string;
  readonly configPath: string;
  readonly siteFilePath: string;
  readonly config: NatsServerConfig;
  readonly file: SiteFile;
  /** The names in the server certificate of its TLS listeners: its hosts, loopback and the sites file's `certificateNames`. */
  readonly certificateNames: readonly string[];
}

export interface PlanOptions {
  /** Absolute directory; site `x` goes to `<outDir>/x/`. */
  readonly outDir: string;
  /** The leaf password of an edge. @default 24 random bytes, base64url */
  readonly password?: (edge: string) => string;
  /**
   * The "nats-leaf://host:port" an edge dials (e.g. a proxy in front of the cloud, as `cairn demo`
   * does). @default the cloud's advertise, else its host and leafPort
   */
  readonly leafUrlFor?: (edge: string) => string;
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/** A listen host as a client on this machine dials it. */
function dialHost(host: string): string {
  if (WILDCARD.has(host)) return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The names devices may dial a site by: its listeners' hosts (not wildcards), loopback, `extra`. Pure. */
export function certificateNamesOf(entry: SiteEntry, extra: readonly string[] = []): string[] {
  const hosts = [entry.host, entry.mqtt?.host, entry.websocket?.host, ...extra].filter((h): h is string => h !== undefined && !WILDCARD.has(h));
  return [...new Set([...hosts.map((h) => h.replace(/^\[|\]$/g, '')), '127.0.0.1', 'localhost', ...entry.certificateNames])];
}

export function randomLeafPassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Decides every file `cairn site init` writes: the nats-server config of each site (through
 * cloudSiteConfig / edgeSiteConfig, so their validation applies) and its site.json. Pure apart
 * from the default password generator.
 */
export function planSites(sites: SitesFile, opts: PlanOptions): SitePlan[] {
  const password = opts.password ?? randomLeafPassword;
  const { cloud, edges } = sites;
  const passwords = new Map(edges.map((e) => [e.name, password(e.name)]));
  const defaultLeafUrl = `nats-leaf://${cloud.advertise ?? `${dialHost(cloud.host)}:${cloud.leafPort}`}`;
  const storeDir = (site: string): string => join(siteDir(opts.outDir, site), 'jetstream');
  const listeners = (s: SitesFile['cloud'] | SitesFile['edges'][number]) => ({
    host: s.host,
    port: s.port,
    ...(s.httpPort === undefined ? {} : { httpPort: s.httpPort }),
    ...(s.mqtt === undefined ? {} : { mqtt: s.mqtt }),
    ...(s.websocket === undefined ? {} : { websocket: s.websocket }),
    ...(s.syncInterval === undefined ? {} : { syncInterval: s.syncInterval }),
  });
  const advertisedHost = cloud.advertise?.replace(/:\d+$/, '');
  const plan = (entry: SiteEntry, role: SitePlan['role'], config: NatsServerConfig, peers: PeerSite[], cloudDomain?: string): SitePlan => {
    const { name: site, labels, port, host } = entry;
    const dir = siteDir(opts.outDir, site);
    return {
      site,
      role,
      dir,
      configPath: join(dir, SITE_CONFIG_FILE_NAME),
      siteFilePath: join(dir, SITE_FILE_NAME),
      config,
      file: {
        ...{ apiVersion: 'cairn.dev/v1', kind: 'Site', site, role, domain: site, url: `nats://${dialHost(host)}:${port}`, peers },
        ...(cloudDomain === undefined ? {} : { cloudDomain }),
        labels,
        ...(entry.maxInstancesPerApp === undefined ? {} : { maxInstancesPerApp: entry.maxInstancesPerApp }),
        natsServer: config,
      },
      certificateNames: certificateNamesOf(entry, role === 'cloud' && advertisedHost !== undefined ? [advertisedHost] : []),
    };
  };

  const cloudConfig = cloudSiteConfig({
    name: cloud.name,
    domain: cloud.name,
    storeDir: storeDir(cloud.name),
    ...listeners(cloud),
    leafnodes: {
      port: cloud.leafPort,
      ...(cloud.advertise === undefined ? {} : { advertise: cloud.advertise }),
      edges: edges.map((e) => ({ name: e.name, password: passwords.get(e.name)! })),
    },
  });
  return [
    plan(cloud, 'cloud', cloudConfig, edges.map((e) => ({ site: e.name, domain: e.name }))),
    ...edges.map((e) =>
      plan(
        e,
        'edge',
        edgeSiteConfig({
          name: e.name,
          domain: e.name,
          storeDir: storeDir(e.name),
          ...listeners(e),
          cloud: { urls: [opts.leafUrlFor?.(e.name) ?? defaultLeafUrl], password: passwords.get(e.name)! },
        }),
        [{ site: cloud.name, domain: cloud.name }, ...e.receivesFrom.map((f) => ({ site: f, domain: f }))],
        cloud.name,
      ),
    ),
  ];
}
