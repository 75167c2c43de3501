import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager, StreamSourceInfo } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { Streams } from '../protocols/index.ts';
import type { Clock } from './clock.ts';
import type { DeadLetters } from './dead-letters.ts';
import { ensureStream, isNotFound, mailboxStreamConfig } from './mailbox-infrastructure.ts';
import type { MailboxLimits, PeerSite } from './mailbox-infrastructure.ts';
import { OutboxForwarder } from './outbox-forwarder.ts';
import type { PeerSourceState } from './outbox-forwarder.ts';
import { ensureSourceConsumer } from './source-consumer.ts';
import { OriginEpochs, outboxEpochMetadata, readOutboxEpoch } from './source-epochs.ts';
import type { OutboxEpoch } from './source-epochs.ts';
import { StreamPublisher } from './stream-publisher.ts';

export interface MailboxSourcesOptions {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly site: string;
  readonly peers: readonly PeerSite[];
  readonly limits: MailboxLimits;
  readonly deadLetters: DeadLetters;
  readonly clock: Clock;
  readonly log: Logger;
  /** Retry delays while a peer is unreachable. @default { initialMs: 250, maxMs: 5000 } (a retry is one small request; the link may come back any moment) */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

/**
 * What a site's leader receives from its peer sites: one outbox forwarder per peer
 * (outbox-forwarder.ts), and what the mailbox stream's metadata says of the peers' outboxes
 * (source-epochs.ts). `start` reads the mailbox as it is (before the leader's setup takes off the
 * sources an older Cairn configured, it learns how far they got); `ready` starts the forwarders.
 */
export class MailboxSources {
  /** The epochs of the peers' outboxes, for the dispatcher (source-epochs.ts). */
  readonly epochs = new OriginEpochs();
  private readonly states = new Map<string, PeerSourceState>();
  private sourcedUpTo = new Map<string, number>();
  private known = new Map<string, string>();
  private updates: Promise<void> = Promise.resolve();
  private isSetUp = false;
  private meta: Record<string, string> = {};

  constructor(private readonly o: MailboxSourcesOptions) {}

  /** What the mailbox stream's metadata says of the peers' outboxes (every write of its config carries it). */
  get metadata(): Readonly<Record<string, string>> {
    return this.meta;
  }

  /** Reads the mailbox stream as it is: its metadata, and how far an older Cairn's sources got in each peer's outbox. */
  async start(): Promise<void> {
    const { peers, jsm, site } = this.o;
    const info = await jsm.streams.info(Streams.mailbox(site)).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    const stored = info?.config.metadata ?? {};
    // The server's own entries (_nats.*) are the server's to write.
    this.meta = Object.fromEntries(Object.entries(stored).filter(([key]) => !key.startsWith('_nats.')));
    this.sourcedUpTo = sourcedPositions(peers, info?.sources);
    for (const peer of peers) {
      const created = readOutboxEpoch(stored, peer.site).created;
      if (created) this.known.set(peer.site, created);
    }
    this.epochs.load(stored, peers.map((p) => p.site));
  }

  /**
   * The mailbox stream is set up (without sources): the forwarders start, until `signal` aborts.
   * Resolves once each has tried its peer once (a peer unreachable now is retried in the background).
   */
  async ready(signal: AbortSignal): Promise<void> {
    this.isSetUp = true;
    if (this.o.peers.length === 0) return;
    const { nc, site, clock, log, deadLetters } = this.o;
    const publisher = new StreamPublisher(nc);
    signal.addEventListener('abort', () => publisher.close(), { once: true });
    const forwarders: OutboxForwarder[] = [];
    for (const peer of this.o.peers) {
      const forwarder = new OutboxForwarder({
        ...{ nc, site, peer, publisher, deadLetters, clock, log },
        ...(this.o.backoff ? { backoff: this.o.backoff } : {}),
        ensureConsumer: (storedUpTo) => this.ensureConsumer(peer, storedUpTo),
        onState: (state) => this.states.set(peer.site, state),
      });
      void forwarder.run(signal);
      forwarders.push(forwarder);
    }
    await Promise.all(forwarders.map((f) => f.firstAttempt));
  }

  /** Each peer site's forwarding state (empty without peers, or before a forwarder first tried). */
  state(): ReadonlyMap<string, PeerSourceState> {
    return this.states;
  }

  /** The peer's consumer, made sure of; records a new outbox of the peer as a new epoch before anything of it is stored. */
  private async ensureConsumer(peer: PeerSite, storedUpTo: number | undefined): Promise<{ readonly created: string }> {
    const { nc, site, limits, log } = this.o;
    const jsm = await jetstreamManager(nc, { ...(peer.domain ? { domain: peer.domain } : {}), timeout: 2_000 });
    const known = this.known.get(peer.site);
    const { created } = await ensureSourceConsumer(jsm, peer.site, site, limits, storedUpTo ?? this.sourcedUpTo.get(peer.site), {
      known,
      beforeNewOutbox: async () => {
        log.warn({ peer: peer.site }, "the peer site's outbox is not the one this site received from before (made again from scratch): forwarding the new one from its first message");
        await this.markNewOutbox(peer);
      },
    });
    // An older Cairn's position counts once, for the consumer made from it.
    this.sourcedUpTo.delete(peer.site);
    if (created !== known) {
      await this.recordEpoch(peer, { ...readOutboxEpoch(this.meta, peer.site), created });
      this.known.set(peer.site, created);
    }
    return { created };
  }

  /**
   * A new outbox of `peer` is about to be forwarded: its messages will be stored after the
   * mailbox's last sequence now, which becomes a mark of a new epoch (stored before the consumer
   * exists, so that no message of the new outbox can come first).
   */
  private async markNewOutbox(peer: PeerSite): Promise<void> {
    const info = await this.o.jsm.streams.info(Streams.mailbox(this.o.site)).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    const marks = this.epochs.add(peer.site, info?.state.last_seq ?? 0);
    await this.recordEpoch(peer, { ...readOutboxEpoch(this.meta, peer.site), marks });
  }

  private async recordEpoch(peer: PeerSite, epoch: OutboxEpoch): Promise<void> {
    this.meta = { ...this.meta, ...outboxEpochMetadata(peer.site, epoch) };
    if (!this.isSetUp) return;
    // Forwarders of different peers record concurrently: one write at a time, each with all of it.
    const next = this.updates.then(() => ensureStream(this.o.jsm, mailboxStreamConfig(this.o.site, this.o.limits, this.meta)));
    this.updates = next.catch(() => undefined);
    return next;
  }
}

/**
 * Per peer, the last outbox sequence the mailbox stored through a source of an older Cairn (the
 * stream info's `sources[].seq`): the consumer the forwarder makes starts after it.
 */
export function sourcedPositions(peers: readonly PeerSite[], sources: readonly (StreamSourceInfo & { seq?: number })[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const peer of peers) {
    const seq = (sources ?? []).find((s) => s.name === Streams.outbox(peer.site))?.seq;
    if (seq !== undefined && seq > 0) out.set(peer.site, seq);
  }
  return out;
}
