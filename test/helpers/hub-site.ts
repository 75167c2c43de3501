// The embedded site (what `cairn up` runs) in a temporary folder, a free port for a hub's MQTT
// listener, and a client of the site, for the hub tests; `cleanups` gets what undoes each.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { startEmbeddedSite } from '../../deploy/embedded/index.ts';
import type { EmbeddedSite } from '../../deploy/embedded/index.ts';
import { freePorts } from '../../deploy/nats-server/index.ts';

export interface HubSite {
  readonly site: EmbeddedSite;
  readonly nc: NatsConnection;
  /** A free port for the hub's MQTT listener. */
  readonly port: number;
  /** The site's folder: a site started again on it finds what it had. */
  readonly dataDir: string;
}

export async function startHubSite(appDir: string, cleanups: (() => Promise<unknown>)[]): Promise<HubSite> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-hub-site-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const [port] = (await freePorts(1)) as [number];
  const dataDir = join(dir, '.cairn');
  const site = await startEmbeddedSite({ dataDir, example: 'none', appDir });
  cleanups.push(() => site.stop());
  // It reconnects at once: a hub's new listener restarts the server under it.
  const nc = await connect({ servers: site.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  cleanups.push(() => nc.close());
  return { site, nc, port, dataDir };
}
