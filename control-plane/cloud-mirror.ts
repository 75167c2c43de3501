import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { StreamConfig } from '@nats-io/jetstream';
import { Subjects } from '../protocols/index.ts';

/**
 * The config of an edge's local mirror of the cloud stream `stream` (same name, in the edge's own
 * domain): read locally, also while the link is down, and caught up by the edge's nats-server
 * after an outage from where it stopped. `deliver: ''` lets the server pick the delivery subject
 * across the leaf link.
 */
export function cloudMirrorConfig(stream: string, cloudDomain: string, extra: Partial<StreamConfig> = {}): Partial<StreamConfig> & { name: string } {
  return {
    name: stream,
    mirror: { name: stream, external: { api: Subjects.jsApi(cloudDomain), deliver: '' } },
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: 1,
    allow_rollup_hdrs: true,
    ...extra,
  };
}
