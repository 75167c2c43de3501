import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { CairnError, Consumers, KernelCodes, Streams } from '../protocols/index.ts';
import type { ActorCell } from './actor-cell.ts';
import type { Clock } from './clock.ts';
import type { DeadLetters } from './dead-letters.ts';
import { MailboxDispatcher } from './mailbox-dispatcher.ts';
import { ensureMailboxInfrastructure } from './mailbox-infrastructure.ts';
import type { MailboxLimits } from './mailbox-infrastructure.ts';
import type { MailboxSources } from './mailbox-sources.ts';
import type { Message } from './message.ts';
import type { NodeEvents } from './node-events.ts';

export interface SiteMailboxOptions {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly site: string;
  readonly node: string;
  /** What the site receives from its peer sites (made by the node, so its state shows from the start). */
  readonly sources: MailboxSources;
  readonly limits: MailboxLimits;
  readonly clock: Clock;
  readonly log: Logger;
  readonly deadLetters: DeadLetters;
  readonly events: NodeEvents;
  readonly orphanTimeoutMs?: number | undefined;
  /** The connection the mailbox is read through (watched for reconnects). */
  readonly nc?: NatsConnection;
  /** The node's acks of handled messages (flushed before the consumer is made again). */
  readonly acks?: { flush(): void };
  /** Whether this node still holds the site lease (asked before the consumer is recreated). */
  stillLeading(): Promise<boolean>;
  cell(actor: string): ActorCell<Message, unknown> | undefined;
  cells(): Iterable<ActorCell<Message, unknown>>;
}

/**
 * What the site's leader consumes, opened: the mailbox stream (and the forwarders of its peers'
 * outboxes into it), its shared consumer, and the dispatcher that hands each message to its actor's cell, until `signal`
 * aborts. A consumer lost to a server restart is recreated, but only while this node still leads.
 */
export async function openSiteMailbox(o: SiteMailboxOptions, signal: AbortSignal): Promise<MailboxDispatcher> {
  const { sources } = o;
  await sources.start();
  await ensureMailboxInfrastructure(o.jsm, o.site, o.limits, sources.metadata);
  await sources.ready(signal);
  const consumerOf = (): ReturnType<JetStreamClient['consumers']['get']> => o.js.consumers.get(Streams.mailbox(o.site), Consumers.mailbox(o.site));
  const incarnation = async (): Promise<string> => (await o.jsm.streams.info(Streams.mailbox(o.site))).created;
  const dispatcher = new MailboxDispatcher(
    await consumerOf(),
    (actor) => o.cell(actor),
    () => o.cells(),
    o.deadLetters,
    o.events,
    o.clock,
    o.log,
    { batch: Math.min(o.limits.maxInFlight, 512), orphanTimeoutMs: o.orphanTimeoutMs ?? 10_000, ackWaitMs: o.limits.ackWaitMs, epochs: sources.epochs, ...(o.nc ? { connection: o.nc } : {}), ...(o.acks ? { acks: o.acks } : {}) },
    async () => {
      // Only while this node still leads: a leader back from a partition must not take the
      // consumer from the node that took over (its lease loop stops this node meanwhile).
      if (!(await o.stillLeading())) throw new CairnError(KernelCodes.LEASE_LOST, `node ${o.node} no longer holds the lease of site ${o.site}; not recreating the mailbox consumer`);
      await ensureMailboxInfrastructure(o.jsm, o.site, o.limits, sources.metadata);
      return { consumer: await consumerOf(), incarnation: await incarnation() };
    },
    await incarnation(),
  );
  await dispatcher.start(signal);
  return dispatcher;
}
