import { jetstream } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The JetStream that holds cairn_apps, as seen from `nc`: the connected server's own (connected to
 * the cloud, or a single embedded site), or the cloud's domain through an edge's leaf link.
 */
export function appsJetStream(nc: NatsConnection, cloudDomain?: string): JetStreamClient {
  return cloudDomain === undefined ? jetstream(nc) : jetstream(nc, { domain: cloudDomain });
}
