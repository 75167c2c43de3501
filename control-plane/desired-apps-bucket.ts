import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import type { JetStreamClient, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { Buckets, KvLayout } from '../protocols/index.ts';
import { cloudMirrorConfig } from './cloud-mirror.ts';
import { DEFAULT_APP_HISTORY } from './app-store.ts';

/**
 * The stream config of an edge's local mirror of the cloud's cairn_apps bucket. The mirror is read
 * locally (so the edge keeps its last desired state while the link is down) and catches up after
 * an outage; `deliver: ''` lets the server pick the delivery subject across the leaf link.
 */
export function appsMirrorConfig(cloudDomain: string, history = DEFAULT_APP_HISTORY): Partial<StreamConfig> & { name: string } {
  return cloudMirrorConfig(KvLayout.stream(Buckets.apps), cloudDomain, { max_msgs_per_subject: history });
}

/**
 * Opens the desired-state bucket a site's controller reads: the bucket itself when this site holds
 * it (`cloudDomain` absent: the cloud, or a single embedded site), else a local mirror of the
 * cloud's, created if missing (it can be created while the cloud is unreachable).
 */
export async function openDesiredApps(js: JetStreamClient, jsm: JetStreamManager, opts: { cloudDomain?: string; history?: number } = {}): Promise<KV> {
  const kvm = new Kvm(js);
  if (opts.cloudDomain === undefined) return kvm.create(Buckets.apps, { history: opts.history ?? DEFAULT_APP_HISTORY });
  const config = appsMirrorConfig(opts.cloudDomain, opts.history);
  try {
    await jsm.streams.info(config.name);
  } catch {
    await jsm.streams.add(config);
  }
  // open() binds without reading the stream: reads and watches go to the local mirror.
  return kvm.open(Buckets.apps);
}
