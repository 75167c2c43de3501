import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { Consumers, Streams } from '../protocols/index.ts';
import { rewindSourceConsumer } from './source-consumer.ts';
import type { Clock } from './clock.ts';
import { ensureStream, isNotFound, mailboxStreamConfig } from './mailbox-infrastructure.ts';
import type { MailboxLimits, PeerSite } from './mailbox-infrastructure.ts';
import { PeerSources, peersToSource, plainSourcePositions } from './peer-sources.ts';
import type { PeerSourceState } from './peer-sources.ts';
import type { SourceReport } from './stalled-sources.ts';
import { OriginEpochs, outboxEpochMetadata, readOutboxEpoch } from './source-epochs.ts';
import type { OutboxEpoch } from './source-epochs.ts';

export interface MailboxSourcesOptions {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly site: string;
  readonly peers: readonly PeerSite[];
  readonly limits: MailboxLimits;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * Which peers' outboxes the site's mailbox stream sources. A peer unreachable at start is sourced
 * once its durable source consumer exists (PeerSources retries it in the background); a stalled
 * source is taken off the stream and put back. Changes of the stream's sources are made one at a
 * time, and only after the leader's first setup of the stream (`ready`).
 */
export class MailboxSources {
  /** The epochs of the peers' outboxes, for the dispatcher (source-epochs.ts). */
  readonly epochs = new OriginEpochs();
  private sourced: PeerSite[] = [];
  private peerSources: PeerSources | undefined;
  private updates: Promise<void>;
  private setUp!: () => void;
  private isSetUp = false;
  private meta: Record<string, string> = {};

  constructor(private readonly o: MailboxSourcesOptions) {
    this.updates = new Promise<void>((resolve) => (this.setUp = resolve));
  }

  /** What the mailbox stream's metadata says of the peers' outboxes (every write of its config carries it). */
  get metadata(): Readonly<Record<string, string>> {
    return this.meta;
  }

  /** The peers sourced now (what the mailbox stream's config lists). */
  get current(): PeerSite[] {
    return this.sourced;
  }

  /**
   * Makes sure each peer's outbox has this site's durable source consumer (see PeerSources) and
   * returns the peers to source now; unreachable peers are retried in the background and added
   * when they succeed.
   */
  async start(signal: AbortSignal): Promise<PeerSite[]> {
    const { peers, jsm, site } = this.o;
    if (peers.length === 0) return (this.sourced = []);
    const info = await jsm.streams.info(Streams.mailbox(site)).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    // A mailbox of an older Cairn sources through plain sources: new consumers start after what they copied.
    const sourcedUpTo = plainSourcePositions(peers, info?.sources, info?.config.sources, site);
    const stored = info?.config.metadata ?? {};
    // The server's own entries (_nats.*) are the server's to write.
    this.meta = Object.fromEntries(Object.entries(stored).filter(([key]) => !key.startsWith('_nats.')));
    const known = new Map<string, string>();
    for (const peer of peers) {
      const created = readOutboxEpoch(stored, peer.site).created;
      if (created) known.set(peer.site, created);
    }
    this.epochs.load(stored, peers.map((p) => p.site));
    const { nc, limits, clock, log } = this.o;
    const onNewOutbox = (peer: PeerSite): Promise<void> => this.markNewOutbox(peer);
    const onOutbox = (peer: PeerSite, created: string): Promise<void> => this.recordOutbox(peer, created);
    this.peerSources = new PeerSources({ nc, site, peers, limits, clock, log, sourcedUpTo, known, onNewOutbox, onOutbox });
    const ready = await this.peerSources.start(signal, (peer) => this.add(peer, signal));
    return (this.sourced = peersToSource(peers, ready, info?.config.sources, site));
  }

  /** The mailbox stream is set up with `current`: later changes may go ahead. */
  ready(): void {
    this.isSetUp = true;
    this.setUp();
  }

  /** Restarts sources that deliver nothing while their peer answers (see PeerSources.watch). */
  watch(signal: AbortSignal, stalledAfterMs?: number): void {
    this.peerSources?.watch(signal, {
      sourced: () => this.sourced,
      reports: async () => ((await this.o.jsm.streams.info(Streams.mailbox(this.o.site))).sources ?? []) as SourceReport[],
      restart: (peer) => this.restart(peer),
      highestSeen: (stream) => this.epochs.highestSeen(stream),
      mailboxPending: async () => (await this.o.jsm.consumers.info(Streams.mailbox(this.o.site), Consumers.mailbox(this.o.site))).num_pending,
      rewind: (peer, fromSeq) => this.rewind(peer, fromSeq),
      ...(stalledAfterMs === undefined ? {} : { stalledAfterMs }),
    });
  }

  /** Each peer site's sourcing state (empty without peers). */
  state(): ReadonlyMap<string, PeerSourceState> {
    return this.peerSources?.state() ?? new Map();
  }

  private add(peer: PeerSite, signal: AbortSignal): Promise<void> {
    return this.serially(async () => {
      if (signal.aborted || this.sourced.some((p) => p.site === peer.site)) return;
      this.sourced = this.o.peers.filter((p) => p.site === peer.site || this.sourced.some((s) => s.site === p.site));
      await this.writeConfig(this.sourced);
    });
  }

  /** Takes a peer's source off the mailbox stream and puts it back, so the server sets it up now. */
  private restart(peer: PeerSite): Promise<void> {
    return this.serially(async () => {
      await this.writeConfig(this.sourced.filter((p) => p.site !== peer.site));
      await this.writeConfig(this.sourced);
    });
  }

  /** Takes a peer's source off the mailbox stream, moves its consumer back to `fromSeq`, and puts the source back. */
  private rewind(peer: PeerSite, fromSeq: number): Promise<void> {
    return this.serially(async () => {
      await this.writeConfig(this.sourced.filter((p) => p.site !== peer.site));
      try {
        await rewindSourceConsumer(this.o.nc, peer, this.o.site, fromSeq, this.o.clock);
      } finally {
        await this.writeConfig(this.sourced);
      }
    });
  }

  /**
   * A new outbox of `peer` is about to be sourced: its messages will be stored after the mailbox's
   * last sequence now, which becomes a mark of a new epoch (stored before the consumer exists, so
   * that no message of the new outbox can come first).
   */
  private async markNewOutbox(peer: PeerSite): Promise<void> {
    const info = await this.o.jsm.streams.info(Streams.mailbox(this.o.site)).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    const marks = this.epochs.add(peer.site, info?.state.last_seq ?? 0);
    await this.recordEpoch(peer, { ...readOutboxEpoch(this.meta, peer.site), marks });
  }

  private recordOutbox(peer: PeerSite, created: string): Promise<void> {
    return this.recordEpoch(peer, { ...readOutboxEpoch(this.meta, peer.site), created });
  }

  private async recordEpoch(peer: PeerSite, epoch: OutboxEpoch): Promise<void> {
    this.meta = { ...this.meta, ...outboxEpochMetadata(peer.site, epoch) };
    if (this.isSetUp) return this.serially(() => this.writeConfig(this.sourced));
    // Before the stream's first setup nothing else writes its config; a stream that does not exist
    // yet gets the metadata when that setup creates it.
    await this.o.jsm.streams.update(Streams.mailbox(this.o.site), { metadata: { ...this.meta } }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }

  private writeConfig(peers: readonly PeerSite[]): Promise<void> {
    return ensureStream(this.o.jsm, mailboxStreamConfig(this.o.site, this.o.limits, peers, this.meta));
  }

  /** Runs changes of the stream's config one at a time, after its first setup; one failing does not stop the next. */
  private serially(change: () => Promise<void>): Promise<void> {
    const next = this.updates.then(change);
    this.updates = next.catch(() => undefined);
    return next;
  }
}
