import { pino } from 'pino';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem, SystemOptions } from '../../supervisor-trees/index.ts';
import { startAppController } from '../../control-plane/index.ts';
import type { AppController } from '../../control-plane/index.ts';
import type { SiteFile } from './site-file.ts';
import { siteRuntimes } from './site-runtimes.ts';

export interface SiteNodeOptions {
  readonly file: SiteFile;
  /** Node id. @default the kernel's default (the host name) */
  readonly node?: string;
  /** Labels added to the site's own (placement selects on them). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Where the node logs (pino, JSON lines). */
  readonly nodeLogPath: string;
  /** Where relative `behaviour.module` paths of applied manifests resolve. */
  readonly appDir: string;
  /** Where the node keeps the artifacts of the apps it runs (the site's folder holds `artifacts/`). */
  readonly artifactDir: string;
  /** More options for the node; site, servers and peers come from the site file. */
  readonly system?: Omit<SystemOptions, 'servers' | 'site' | 'peers' | 'connection'>;
}

/** A node of a site with its app controller: what `cairn site up` and `cairn site join` run. */
export interface SiteNode {
  readonly system: ActorSystem;
  readonly apps: AppController;
}

/**
 * Starts a node of the site described by `file` (waiting as a standby while another node leads the
 * site), then the site's app controller, which runs what `cairn apply` put in the cloud's desired
 * state (an edge through its mirror).
 */
export async function startSiteNode(opts: SiteNodeOptions): Promise<SiteNode> {
  const { file } = opts;
  const system = await createActorSystem({
    logger: pino({ level: process.env['CAIRN_LOG_LEVEL'] ?? 'info' }, pino.destination({ dest: opts.nodeLogPath, sync: true, mkdir: true })),
    runtimes: siteRuntimes(),
    ...opts.system,
    labels: { ...file.labels, ...opts.labels, ...opts.system?.labels },
    servers: file.url,
    site: file.site,
    peers: file.peers,
    ...(opts.node === undefined ? {} : { node: opts.node }),
  });
  try {
    const apps = await startAppController({
      system,
      ...(file.cloudDomain ? { cloudDomain: file.cloudDomain } : {}),
      ...(file.maxInstancesPerApp === undefined ? {} : { maxInstancesPerApp: file.maxInstancesPerApp }),
      appDir: opts.appDir,
      artifactDir: opts.artifactDir,
    });
    return { system, apps };
  } catch (err) {
    await system.shutdown().catch(() => undefined);
    throw err;
  }
}

/** Stops the app controller and the node, bounded by `timeoutMs`. Resolves whether it finished in time. */
export async function stopSiteNode(node: SiteNode, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    node.apps.stop().then(() => node.system.shutdown()).then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  return drained;
}
