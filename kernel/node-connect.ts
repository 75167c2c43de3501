import type { Logger } from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Buckets, DEFAULT_HEARTBEAT_INTERVAL_MS, assertName, encodeValue } from '../protocols/index.ts';
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { claimNodeId } from './node-identity.ts';
import { nodeLabels, nodeRecord } from './node-heartbeat.ts';
import { onConnectionInterrupted } from './node-host/index.ts';
import { defaultNodeIds } from './node-options.ts';
import type { NodeOptions } from './node-options.ts';
import { assertPositiveOptions } from './option-checks.ts';
import { openSiteConnection } from './site-connection.ts';

/** What a node is made of once connected: its connection, and its options with the id it claimed. */
export interface ConnectedNode {
  readonly nc: NatsConnection;
  readonly ownsConnection: boolean;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** The options given, with the node id claimed and the logger to use. */
  readonly options: NodeOptions;
  readonly clock: Clock;
}

/**
 * Checks a node's options, connects to NATS (checking JetStream) and claims the node's id in the
 * site's registry: one process per node id, since a second would take the first's lease, consumer
 * and endpoints (see claimNodeId). Closes a connection it opened when the claim fails.
 */
export async function connectNode(opts: NodeOptions, defaultLogger: () => Logger): Promise<ConnectedNode> {
  const { heartbeatMs, leaseTtlMs, orphanTimeoutMs, usageSampleMs, stallThresholdMs } = opts;
  assertPositiveOptions('node options', { heartbeatMs, leaseTtlMs, orphanTimeoutMs, usageSampleMs, stallThresholdMs }, ['stallThresholdMs']);
  const { nc, ownsConnection, js, jsm } = await openSiteConnection({
    ...(opts.servers === undefined ? {} : { servers: opts.servers }),
    ...(opts.connection === undefined ? {} : { connection: opts.connection }),
    ...(opts.domain === undefined ? {} : { domain: opts.domain }),
    name: `cairn-node-${opts.site ?? 'local'}`,
  });
  const clock = opts.clock ?? systemClock;
  const site = opts.site ?? 'local';
  assertName(site, 'site name');
  if (opts.onConnection) onConnectionInterrupted(nc, opts.onConnection);
  if (opts.node !== undefined) assertName(opts.node, 'node id');
  const log = opts.logger ?? defaultLogger();
  const nodes = await new Kvm(js).create(Buckets.nodes(site), { history: 1 });
  // The claim is the node's first registry record (a standby until it leads; its heartbeats take over).
  const labels = nodeLabels(site, opts.labels);
  const beatMs = heartbeatMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const claim = (id: string): Uint8Array => encodeValue(nodeRecord({ id, site, labels, startedAt: clock.now(), now: clock.now(), heartbeatMs: beatMs, role: 'standby', guests: {} }));
  const node = await claimNodeId({ nodes, site, explicit: opts.node, fallback: defaultNodeIds(), clock, log, signal: opts.signal, claim }).catch(async (err: unknown) => {
    if (ownsConnection) await nc.close().catch(() => undefined);
    throw err;
  });
  return { nc, ownsConnection, js, jsm, options: { ...opts, node, logger: log }, clock };
}
