import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamManager, StreamConfig, ConsumerConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { Consumers, Streams, Subjects } from '../protocols/index.ts';

export interface MailboxLimits {
  /** Most messages one actor's mailbox holds; a tell beyond it waits (backpressure). @default 10000 */
  readonly capacity: number;
  /** Most messages held unacked by the node across all its actors. @default 1024 */
  readonly maxInFlight: number;
  /** Time the server waits for an ack before redelivering (held messages are kept alive). @default 30000 */
  readonly ackWaitMs: number;
  /** Window in which JetStream drops a message whose id it has already stored. @default 120000 */
  readonly dedupWindowMs: number;
  /** How long dead letters are kept. @default 7 days */
  readonly deadLetterMaxAgeMs: number;
  /**
   * How long the outbox keeps messages for other sites. They must outlive the longest outage a
   * link may have: a receiving site sources them when it reconnects. @default 7 days
   */
  readonly outboxMaxAgeMs: number;
}

/** Another site whose actors this site receives messages from (its leader forwards from that site's outbox). */
export interface PeerSite {
  readonly site: string;
  /** The peer's JetStream domain when it is another server (a leaf node). Omit when both sites share one JetStream. */
  readonly domain?: string;
}

export const DEFAULT_MAILBOX_LIMITS: MailboxLimits = {
  capacity: 10_000,
  maxInFlight: 1_024,
  ackWaitMs: 30_000,
  dedupWindowMs: 120_000,
  deadLetterMaxAgeMs: 7 * 24 * 3600_000,
  outboxMaxAgeMs: 7 * 24 * 3600_000,
};

/**
 * The mailbox stream of a site: WorkQueue (acked messages leave), bounded per actor, new messages
 * refused when full. What peer sites send this site waits in their outboxes and is stored here by
 * the leader's outbox forwarders (outbox-forwarder.ts), each message with the de-duplication id it
 * was sent with, so a message forwarded twice is stored once.
 *
 * The stream sources nothing: `sources` is always an empty list, which also takes off the sources
 * an older Cairn configured (nats.js merges an update into the current config, so a config without
 * `sources` would keep them). nats-server's sourcing was given up because its durable sources
 * (2.14+) were seen in CI to acknowledge a peer's messages that never reached the mailbox, and its
 * plain sources keep their position in the sourcing stream's own messages, which a WorkQueue
 * deletes once they are handled.
 */
export function mailboxStreamConfig(site: string, limits: MailboxLimits, metadata?: Readonly<Record<string, string>>): Partial<StreamConfig> & { name: string } {
  return {
    // What the mailbox knows of its peers' outboxes (source-epochs.ts); absent: left as stored.
    ...(metadata && Object.keys(metadata).length > 0 ? { metadata: { ...metadata } } : {}),
    sources: [],
    name: Streams.mailbox(site),
    subjects: [Subjects.mailboxes(site)],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    max_msgs_per_subject: limits.capacity,
    discard: DiscardPolicy.New,
    discard_new_per_subject: true,
    duplicate_window: nanos(limits.dedupWindowMs),
    // Tells with a time to live (TellOptions.ttl, asks by default) carry Nats-TTL.
    allow_msg_ttl: true,
    // The outbox forwarders store one actor's queued messages as one batch, all or none (forward-writer.ts).
    allow_atomic: true,
  };
}

/**
 * The durable pull consumer on site `from`'s outbox through which site `to`'s leader forwards what
 * `from` sends it into `to`'s mailbox (outbox-forwarder.ts). A message is acked only after the
 * mailbox stored it, so the consumer's ack floor is how far `to` got, kept on `from`'s server
 * whatever restarts on either side. Created by `to`'s leader through `from`'s domain.
 */
export function sourceConsumerConfig(from: string, to: string): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: Consumers.source(to),
    filter_subject: Subjects.outboxTo(from, to),
    deliver_policy: DeliverPolicy.All,
    ack_policy: AckPolicy.Explicit,
    // A message waiting behind a full mailbox is kept alive by the forwarder (working), so this is
    // only how soon a forwarder that vanished mid-batch is covered; the next one resets anyway.
    ack_wait: nanos(SOURCE_ACK_WAIT_MS),
    max_ack_pending: SOURCE_MAX_PENDING,
    max_deliver: -1,
  };
}

/** How long the peer waits for a forwarded message's ack before it sends it again. */
export const SOURCE_ACK_WAIT_MS = 60_000;

/** Messages a peer's consumer hands the forwarder before earlier ones are acked (bounds a catch-up's memory). */
export const SOURCE_MAX_PENDING = 10_000;

/** What a site sends to other sites. Limits retention: messages stay until they age out, whatever the receivers' consumers acked, so a receiver that was away for days (up to `outboxMaxAgeMs`) still gets them. */
export function outboxStreamConfig(site: string, limits: MailboxLimits): Partial<StreamConfig> & { name: string } {
  return {
    name: Streams.outbox(site),
    subjects: [Subjects.outboxes(site)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(limits.outboxMaxAgeMs),
    duplicate_window: nanos(limits.dedupWindowMs),
    // A tell to another site with a ttl also expires while it waits here for the link.
    allow_msg_ttl: true,
  };
}

export function deadLetterStreamConfig(site: string, limits: MailboxLimits): Partial<StreamConfig> & { name: string } {
  return {
    name: Streams.deadLetters(site),
    subjects: [Subjects.deadLetters(site)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(limits.deadLetterMaxAgeMs),
    duplicate_window: nanos(limits.dedupWindowMs),
  };
}

export function mailboxConsumerConfig(site: string, limits: MailboxLimits): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: Consumers.mailbox(site),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(limits.ackWaitMs),
    max_ack_pending: limits.maxInFlight,
    // Retries are the node's job (in order, with backoff); the server redelivers only after a crash.
    max_deliver: -1,
  };
}

/** Creates the site's mailbox, outbox and dead-letter streams, or updates them to the given limits. */
export async function ensureSiteStreams(jsm: JetStreamManager, site: string, limits: MailboxLimits, metadata?: Readonly<Record<string, string>>): Promise<void> {
  for (const cfg of [mailboxStreamConfig(site, limits, metadata), outboxStreamConfig(site, limits), deadLetterStreamConfig(site, limits)]) await ensureStream(jsm, cfg);
}

/**
 * Takes over the site's mailbox consumer (only the site's leader does this) by recreating it: the
 * stream is a WorkQueue, so it holds exactly the messages nobody acked, and a fresh consumer
 * delivers them all again at once, in stream order. Keeping the old consumer would deliver
 * never-delivered (newer) messages at once but redeliver what a crashed node held (older) only
 * after the ack wait: an actor would see its messages out of order, and a persisted actor would
 * skip the older ones as already applied.
 */
export async function takeOverMailboxConsumer(jsm: JetStreamManager, site: string, limits: MailboxLimits): Promise<void> {
  const consumer = mailboxConsumerConfig(site, limits);
  try {
    await jsm.consumers.delete(Streams.mailbox(site), consumer.durable_name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await jsm.consumers.add(Streams.mailbox(site), consumer);
}

/** Streams, then the consumer: what a site's leader sets up before it consumes. */
export async function ensureMailboxInfrastructure(jsm: JetStreamManager, site: string, limits: MailboxLimits, metadata?: Readonly<Record<string, string>>): Promise<void> {
  await ensureSiteStreams(jsm, site, limits, metadata);
  await takeOverMailboxConsumer(jsm, site, limits);
}

/** Creates a stream, or updates it to `cfg` when it exists. */
export async function ensureStream(jsm: JetStreamManager, cfg: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(cfg.name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.streams.add(cfg);
    return;
  }
  await jsm.streams.update(cfg.name, cfg);
}

/** Whether a JetStream API error says the stream or consumer does not exist. */
export function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 10059 || code === 10014 || /not found/i.test((err as Error)?.message ?? '');
}
