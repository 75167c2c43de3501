import type { Logger } from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { StreamSource, StreamSourceInfo } from '@nats-io/jetstream';
import { Consumers, Streams, backoffDelayMs } from '../protocols/index.ts';
import type { Clock } from './clock.ts';
import type { MailboxLimits, PeerSite } from './mailbox-infrastructure.ts';
import { skipCheck, stalledSources, stuckSources } from './stalled-sources.ts';
import { ensureSourceConsumer } from './source-consumer.ts';
import type { SkipSuspects, SourceConsumerView, SourceProgress, SourceReport } from './stalled-sources.ts';

export interface PeerSourcesOptions {
  readonly nc: NatsConnection;
  /** This site: the one that sources the peers' outboxes. */
  readonly site: string;
  readonly peers: readonly PeerSite[];
  /** Used to create a peer's outbox when that peer never ran a node yet. */
  readonly limits: MailboxLimits;
  readonly clock: Clock;
  readonly log: Logger;
  /** How long one attempt on one peer may take. @default 2000 */
  readonly attemptTimeoutMs?: number;
  /** Retry delays while a peer is unreachable: doubling from `minMs` up to `maxMs`. @default { initialMs: 1000, maxMs: 30000 } */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /**
   * Per peer site, the last outbox sequence this site's mailbox already sourced through a plain
   * source (an older Cairn): a consumer created now starts after it instead of at the oldest
   * message the outbox keeps. @default none
   */
  readonly sourcedUpTo?: ReadonlyMap<string, number>;
  /** Per peer site, the creation time of the outbox this mailbox sourced last (source-epochs.ts). @default none */
  readonly known?: ReadonlyMap<string, string>;
  /** Called before a consumer is created on an outbox that is not the one sourced before (it was made again). */
  readonly onNewOutbox?: (peer: PeerSite) => Promise<void>;
  /** Called once a peer's consumer exists on an outbox other than the recorded one (or none was), to record it. */
  readonly onOutbox?: (peer: PeerSite, created: string) => Promise<void>;
}

/** Where a peer's source consumer stands. */
export type PeerSourceState =
  | { readonly type: 'ready' }
  | { readonly type: 'waiting'; readonly attempts: number; readonly error: string; readonly retryInMs: number }
  /**
   * The source was silent for `silentMs` (or, with `stuckMs`, heard heartbeats but copied nothing
   * that long while it lagged) while the peer answered; it was restarted `restarts` times so far.
   */
  | { readonly type: 'restarted'; readonly silentMs: number; readonly stuckMs?: number; readonly restarts: number }
  /** The source acknowledged outbox sequences `fromSeq`..`toSeq` without them reaching the mailbox; its consumer was moved back to `fromSeq` (`rewinds` times so far). */
  | { readonly type: 'rewound'; readonly fromSeq: number; readonly toSeq: number; readonly rewinds: number };

/** How the watchdog reads the mailbox stream's sources and restarts one. */
export interface SourceWatch {
  /** The peers the mailbox sources now. */
  readonly sourced: () => readonly PeerSite[];
  /** The mailbox stream's report of its sources. */
  readonly reports: () => Promise<readonly SourceReport[]>;
  /** Takes the peer's source off the mailbox stream and puts it back: the server sets it up at once. */
  readonly restart: (peer: PeerSite) => Promise<void>;
  /** A source silent this long is stalled. @default 10000 (heartbeats come every second) */
  readonly stalledAfterMs?: number;
  /** The highest outbox sequence the node received from outbox `stream` (see skippedSources). */
  readonly highestSeen?: (stream: string) => number | undefined;
  /** Messages in the mailbox not yet handed to the node. */
  readonly mailboxPending?: () => Promise<number>;
  /** Takes the peer's source off, moves its consumer back to `fromSeq`, and puts the source back. */
  readonly rewind?: (peer: PeerSite, fromSeq: number) => Promise<void>;
}

/**
 * Makes sure that every peer's outbox has the durable consumer through which this site's mailbox
 * sources it (`sourceConsumerConfig`), creating the peer's outbox too when that peer never ran.
 * `start` tries every peer once, concurrently; peers that cannot be reached (the link is down, the
 * peer's server is away) are retried in the background with backoff until the signal aborts, each
 * failure logged, and `onReady` is called once a peer's consumer exists, so that the caller adds
 * the source only when it can work: the server would otherwise retry a source whose consumer is
 * missing on a backoff of up to two minutes.
 */
export class PeerSources {
  private readonly states = new Map<string, PeerSourceState>();
  private readonly created: Map<string, string>;

  constructor(private readonly opts: PeerSourcesOptions) {
    this.created = new Map(opts.known);
  }

  /** Each peer's state, by site name. */
  state(): ReadonlyMap<string, PeerSourceState> {
    return this.states;
  }

  /**
   * Watches the sources until `signal` aborts: a source silent for `stalledAfterMs` whose peer
   * answers is restarted (after its consumer is made sure of, recreated after the last sequence the
   * mailbox stored if an operator deleted it), each restart logged and reported in `state()`. A
   * source of an unreachable peer is left to the server (the link is down; nothing to fix here).
   */
  watch(signal: AbortSignal, how: SourceWatch): void {
    const { clock, log } = this.opts;
    const stalledAfterMs = how.stalledAfterMs ?? 10_000;
    const since = new Map<string, number>();
    const quietUntil = new Map<string, number>();
    const restarts = new Map<string, number>();
    let progress: SourceProgress = new Map();
    let suspects: SkipSuspects = new Map();
    let rewinds = 0;
    void (async () => {
      while (!signal.aborted) {
        try {
          await clock.sleep(Math.max(100, stalledAfterMs / 2), signal);
        } catch {
          return;
        }
        const now = clock.now();
        const sourced = how.sourced();
        for (const p of sourced) if (!since.has(p.site)) since.set(p.site, now);
        let reports: readonly SourceReport[];
        try {
          reports = await how.reports();
        } catch (err) {
          log.debug({ err }, 'source watch: cannot read the mailbox stream');
          continue;
        }
        if (how.rewind && how.highestSeen && how.mailboxPending) {
          const pending = await how.mailboxPending().catch(() => undefined);
          const next = new Map<string, { ackFloor: number; highest: number }>();
          for (const peer of pending === 0 ? sourced : []) {
            const site = peer.site;
            const highest = how.highestSeen(Streams.outbox(site));
            if (highest === undefined || now < (quietUntil.get(site) ?? 0) || signal.aborted) continue;
            const consumer = await this.consumerView(peer);
            if (consumer === undefined) continue;
            const check = skipCheck(peer, consumer, highest, pending ?? 0, suspects);
            if (check.suspect) next.set(site, check.suspect);
            if (!check.skipped) continue;
            const { fromSeq, toSeq } = check.skipped;
            log.warn({ peer: site, fromSeq, toSeq }, "the source of a peer site was acknowledged for messages that never reached this site's mailbox (nats-server's durable source after a consumer reset); moving its consumer back");
            quietUntil.set(site, now + 3 * stalledAfterMs);
            try {
              await how.rewind(peer, fromSeq);
              this.states.set(site, { type: 'rewound', fromSeq, toSeq, rewinds: ++rewinds });
            } catch (err) {
              log.error({ err, peer: site }, 'could not move the source consumer of a peer site back');
            }
          }
          suspects = next;
        }
        const silent = stalledSources(sourced, reports, stalledAfterMs, now, since);
        const lagging = stuckSources(sourced, reports, stalledAfterMs, now, progress);
        progress = lagging.progress;
        const stalledNow = [...silent, ...lagging.stuck.filter((s) => !silent.some((x) => x.peer.site === s.peer.site))];
        for (const stalled of stalledNow) {
          const site = stalled.peer.site;
          if (now < (quietUntil.get(site) ?? 0) || signal.aborted) continue;
          const error = await this.attempt(stalled.peer, stalled.sourcedUpTo);
          if (error !== undefined) {
            log.debug({ peer: site, err: error }, 'source watch: peer unreachable; its source waits for the link');
            continue;
          }
          const count = (restarts.get(site) ?? 0) + 1;
          restarts.set(site, count);
          // Give the restarted source time to connect before judging it again.
          quietUntil.set(site, now + 3 * stalledAfterMs);
          log.warn({ peer: site, silentMs: stalled.silentMs, stuckMs: stalled.stuckMs, restarts: count }, stalled.stuckMs === undefined ? 'source of a peer site stalled while the peer answers; restarting it' : 'source of a peer site copies nothing though it lags behind the peer; restarting it');
          try {
            await how.restart(stalled.peer);
            this.states.set(site, { type: 'restarted', silentMs: stalled.silentMs, ...(stalled.stuckMs === undefined ? {} : { stuckMs: stalled.stuckMs }), restarts: count });
          } catch (err) {
            log.error({ err, peer: site }, 'could not restart the source of a peer site');
          }
        }
      }
    })();
  }

  /**
   * Tries every peer once and resolves with the peers whose consumer exists; keeps retrying the
   * others in the background and calls `onReady` for each as it succeeds.
   */
  async start(signal: AbortSignal, onReady: (peer: PeerSite) => Promise<void>): Promise<PeerSite[]> {
    const first = await Promise.all(this.opts.peers.map(async (peer) => ({ peer, error: await this.attempt(peer) })));
    for (const { peer, error } of first) {
      if (error === undefined) continue;
      void this.retryForever(peer, error, signal, onReady);
    }
    return first.filter((f) => f.error === undefined).map((f) => f.peer);
  }

  private async retryForever(peer: PeerSite, firstError: string, signal: AbortSignal, onReady: (peer: PeerSite) => Promise<void>): Promise<void> {
    const { clock, log } = this.opts;
    const backoff = this.opts.backoff ?? { initialMs: 1_000, maxMs: 30_000 };
    let error: string | undefined = firstError;
    for (let attempts = 1; error !== undefined; attempts++) {
      const retryInMs = backoffDelayMs(attempts, backoff);
      this.states.set(peer.site, { type: 'waiting', attempts, error, retryInMs });
      log.warn({ peer: peer.site, attempts, retryInMs, err: error }, 'cannot reach peer site to set up sourcing its messages yet; retrying (nothing is lost: its outbox keeps them)');
      try {
        await clock.sleep(retryInMs, signal);
      } catch {
        return;
      }
      error = await this.attempt(peer);
    }
    log.info({ peer: peer.site }, 'peer site reachable: sourcing its messages');
    try {
      await onReady(peer);
    } catch (err) {
      log.error({ err, peer: peer.site }, 'could not add the source of a peer site to the mailbox stream');
    }
  }

  /** What the peer says of this site's source consumer; undefined when it cannot be asked now. */
  private async consumerView(peer: PeerSite): Promise<SourceConsumerView | undefined> {
    try {
      const jsm = await jetstreamManager(this.opts.nc, { ...(peer.domain ? { domain: peer.domain } : {}), timeout: this.opts.attemptTimeoutMs ?? 2_000 });
      const info = await jsm.consumers.info(Streams.outbox(peer.site), Consumers.source(this.opts.site));
      return { ackFloor: info.ack_floor.stream_seq, pending: info.num_pending + info.num_ack_pending };
    } catch {
      return undefined;
    }
  }

  /** One attempt on one peer: undefined when its consumer exists now, else why not. */
  private async attempt(peer: PeerSite, sourcedUpTo?: number): Promise<string | undefined> {
    try {
      const jsm = await jetstreamManager(this.opts.nc, { ...(peer.domain ? { domain: peer.domain } : {}), timeout: this.opts.attemptTimeoutMs ?? 2_000 });
      const known = this.created.get(peer.site);
      const { onNewOutbox, onOutbox } = this.opts;
      const { created } = await ensureSourceConsumer(jsm, peer.site, this.opts.site, this.opts.limits, sourcedUpTo ?? this.opts.sourcedUpTo?.get(peer.site), {
        known,
        beforeNewOutbox: async () => {
          this.opts.log.warn({ peer: peer.site }, "the peer site's outbox is not the one this site sourced before (made again from scratch): sourcing the new one from its first message");
          await onNewOutbox?.(peer);
        },
      });
      if (created !== known) {
        await onOutbox?.(peer, created);
        this.created.set(peer.site, created);
      }
      this.states.set(peer.site, { type: 'ready' });
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }
}

/**
 * Per peer, the last outbox sequence a mailbox already copied through a plain source (the stream
 * info's `sources[].seq`), for peers that have no durable source yet.
 */
export function plainSourcePositions(peers: readonly PeerSite[], sources: readonly (StreamSourceInfo & { seq?: number })[] | undefined, configured: readonly StreamSource[] | undefined, site: string): Map<string, number> {
  const durable = new Set((configured ?? []).filter((s) => s.consumer?.name === Consumers.source(site)).map((s) => s.name));
  const out = new Map<string, number>();
  for (const peer of peers) {
    const name = Streams.outbox(peer.site);
    if (durable.has(name)) continue;
    const seq = (sources ?? []).find((s) => s.name === name)?.seq;
    if (seq !== undefined && seq > 0) out.set(peer.site, seq);
  }
  return out;
}

/**
 * The peers a site's mailbox stream sources, in configured order: those whose consumer was just
 * confirmed, and those the stream already sources through their durable consumer (it was created
 * by an earlier run; a plain source from an older Cairn does not count and waits to be confirmed).
 */
export function peersToSource(peers: readonly PeerSite[], ready: readonly PeerSite[], existing: readonly StreamSource[] | undefined, site: string): PeerSite[] {
  const readySites = new Set(ready.map((p) => p.site));
  const durable = new Set((existing ?? []).filter((s) => s.consumer?.name === Consumers.source(site)).map((s) => s.name));
  return peers.filter((p) => readySites.has(p.site) || durable.has(Streams.outbox(p.site)));
}
