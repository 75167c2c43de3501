import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { Streams } from '../protocols/index.ts';
import type { Clock } from './clock.ts';
import { ensureStream, isNotFound, mailboxStreamConfig } from './mailbox-infrastructure.ts';
import type { MailboxLimits, PeerSite } from './mailbox-infrastructure.ts';
import { PeerSources, peersToSource, plainSourcePositions } from './peer-sources.ts';
import type { PeerSourceState } from './peer-sources.ts';
import type { SourceReport } from './stalled-sources.ts';

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
  private sourced: PeerSite[] = [];
  private peerSources: PeerSources | undefined;
  private updates: Promise<void>;
  private setUp!: () => void;

  constructor(private readonly o: MailboxSourcesOptions) {
    this.updates = new Promise<void>((resolve) => (this.setUp = resolve));
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
    const { nc, limits, clock, log } = this.o;
    this.peerSources = new PeerSources({ nc, site, peers, limits, clock, log, sourcedUpTo });
    const ready = await this.peerSources.start(signal, (peer) => this.add(peer, signal));
    return (this.sourced = peersToSource(peers, ready, info?.config.sources, site));
  }

  /** The mailbox stream is set up with `current`: later changes may go ahead. */
  ready(): void {
    this.setUp();
  }

  /** Restarts sources that deliver nothing while their peer answers (see PeerSources.watch). */
  watch(signal: AbortSignal, stalledAfterMs?: number): void {
    this.peerSources?.watch(signal, {
      sourced: () => this.sourced,
      reports: async () => ((await this.o.jsm.streams.info(Streams.mailbox(this.o.site))).sources ?? []) as SourceReport[],
      restart: (peer) => this.restart(peer),
      ...(stalledAfterMs === undefined ? {} : { stalledAfterMs }),
    });
  }

  /** Each peer site's sourcing state (empty without peers). */
  state(): ReadonlyMap<string, PeerSourceState> {
    return this.peerSources?.state() ?? new Map();
  }

  private add(peer: PeerSite, signal: AbortSignal): Promise<void> {
    this.updates = this.updates.then(async () => {
      if (signal.aborted || this.sourced.some((p) => p.site === peer.site)) return;
      this.sourced = this.o.peers.filter((p) => p.site === peer.site || this.sourced.some((s) => s.site === p.site));
      await ensureStream(this.o.jsm, mailboxStreamConfig(this.o.site, this.o.limits, this.sourced));
    });
    return this.updates;
  }

  /** Takes a peer's source off the mailbox stream and puts it back, so the server sets it up now. */
  private restart(peer: PeerSite): Promise<void> {
    this.updates = this.updates.then(async () => {
      const without = this.sourced.filter((p) => p.site !== peer.site);
      await ensureStream(this.o.jsm, mailboxStreamConfig(this.o.site, this.o.limits, without));
      await ensureStream(this.o.jsm, mailboxStreamConfig(this.o.site, this.o.limits, this.sourced));
    });
    return this.updates;
  }
}
