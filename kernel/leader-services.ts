import type { Logger } from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Kvm } from '@nats-io/kv';
import { Buckets } from '../protocols/index.ts';
import type { CellDeps } from './cell-deps.ts';
import type { Clock } from './clock.ts';
import type { DeadLetters } from './dead-letters.ts';
import { sampleUsageForever } from './guest-usage.ts';
import { HandlerTimer, stallReporter, watchEventLoop } from './loop-watchdog.ts';
import type { MailboxDispatcher } from './mailbox-dispatcher.ts';
import { ensureStream } from './mailbox-infrastructure.ts';
import type { MailboxLimits, PeerSite } from './mailbox-infrastructure.ts';
import { MailboxSources } from './mailbox-sources.ts';
import type { NatsSender } from './nats-sender.ts';
import type { NodeCells } from './node-cells.ts';
import type { NodeEvents } from './node-events.ts';
import type { NodeLaunchers } from './node-launchers.ts';
import { nodeRegistryStreamConfig } from './node-registry.ts';
import { AckBatcher } from './ack-batcher.ts';
import { RecentDeliveries } from './recent-deliveries.ts';
import { openSiteMailbox } from './site-mailbox.ts';
import type { Spawner } from './spawner.ts';
import { StateStore } from './state-store.ts';

export interface LeaderServicesOptions {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly kvm: Kvm;
  readonly site: string;
  readonly node: string;
  readonly peers: readonly PeerSite[];
  readonly limits: MailboxLimits;
  readonly clock: Clock;
  readonly log: Logger;
  readonly events: NodeEvents;
  readonly deadLetters: DeadLetters;
  readonly sender: NatsSender;
  readonly spawner: Spawner;
  readonly cells: NodeCells;
  readonly launchers: NodeLaunchers;
  readonly handlers: HandlerTimer;
  readonly orphanTimeoutMs?: number | undefined;
  /** @default 5000 */
  readonly usageSampleMs?: number | undefined;
  /** @default 500; Infinity: no watchdog */
  readonly stallThresholdMs?: number | undefined;
  /** Whether this node still holds the site lease. */
  stillLeading(): Promise<boolean>;
}

/** What a node runs once it leads its site. */
export interface LeaderServices {
  readonly dispatcher: MailboxDispatcher;
  readonly sources: MailboxSources;
  /** What every cell of the node shares (one object, not one per actor). */
  readonly cellDeps: CellDeps;
}

/**
 * Opens what the site's leader runs until `signal` aborts: the state bucket, the node registry
 * stream (with peers), the guests' usage sampler and the event-loop watchdog, the sourcing of the
 * peers' outboxes, and the site mailbox with its dispatcher.
 */
export async function openLeaderServices(o: LeaderServicesOptions, signal: AbortSignal): Promise<LeaderServices> {
  const { site, node, clock, log, events, cells } = o;
  const stateStore = new StateStore(await o.kvm.create(Buckets.state(site), { history: 1 }));
  if (o.peers.length > 0) await ensureStream(o.jsm, nodeRegistryStreamConfig(site, o.peers));
  sampleUsageForever(() => cells.values(), o.usageSampleMs ?? 5_000, clock, signal);
  const stallThresholdMs = o.stallThresholdMs ?? 500;
  if (Number.isFinite(stallThresholdMs)) watchEventLoop({ thresholdMs: stallThresholdMs, handlers: o.handlers, onStall: stallReporter({ node, events, log, clock }) }, signal);
  const sources = new MailboxSources({ nc: o.nc, jsm: o.jsm, site, peers: o.peers, limits: o.limits, deadLetters: o.deadLetters, clock, log });
  // No more waiting than the consumer lets be in flight: a full batch goes at once.
  const acks = new AckBatcher(2, Math.min(256, o.limits.maxInFlight));
  const dispatcher = await openSiteMailbox(
    {
      acks,
      ...{ js: o.js, jsm: o.jsm, nc: o.nc, site, node, sources, limits: o.limits, clock, log },
      ...{ deadLetters: o.deadLetters, events, orphanTimeoutMs: o.orphanTimeoutMs },
      stillLeading: () => o.stillLeading(),
      cell: (actor) => cells.get(actor),
      cells: () => cells.values(),
    },
    signal,
  );
  const cellDeps: CellDeps = {
    ...{ site, node, clock, log, sender: o.sender, stateStore, nats: { connection: o.nc, js: o.js, jsm: o.jsm } },
    ...{ deadLetters: o.deadLetters, events, spawner: o.spawner, handlers: o.handlers },
    // Within the mailbox's own de-duplication window; past a catch-up window of sources (10,000 per peer) it is far enough.
    recent: new RecentDeliveries(clock, o.limits.dedupWindowMs, Math.max(50_000, 20_000 * o.peers.length)),
    publishReply: (subject, data) => o.nc.publish(subject, data),
    released: (d) => (d.owner ?? dispatcher).released(d),
    acks,
    launcherFor: (mode, hostNode) => o.launchers.launcherFor(mode, hostNode),
  };
  return { dispatcher, sources, cellDeps };
}
