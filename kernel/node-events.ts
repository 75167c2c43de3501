import type { NatsConnection } from '@nats-io/transport-node';
import { Subjects, encodeValue } from '../protocols/index.ts';
import type { ActorEvent } from '../protocols/index.ts';

export type ActorEventListener = (event: ActorEvent) => void;

/**
 * Lifecycle events of this node's actors: delivered to in-process listeners (the CLI's live
 * output, tests that wait for a restart) and published on `cairn.evt.<site>.<node>.<actor>`.
 */
export class NodeEvents {
  private readonly listeners = new Set<ActorEventListener>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly site: string,
    private readonly node: string,
  ) {}

  on(listener: ActorEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ActorEvent): void {
    for (const l of this.listeners) l(event);
    if (!this.nc.isClosed()) this.nc.publish(Subjects.event(this.site, this.node, event.actor), encodeValue(event));
  }
}
