import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { deliveryFollows, onReconnect, resetConsumer } from '../../kernel/index.ts';
import type { Clock, SiteNats } from '../../kernel/index.ts';
import type { BridgeRule } from './bridge-config.ts';
import { dropsBeforeDelivery, dropsBeforeFirst } from './bridge-drops.ts';
import type { Peer } from './bridge-peer.ts';
import { ORIGIN_HEADER, outboundDecision } from './bridge-topics.ts';

/** The durable consumer the bridge reads its outbound buffer with. */
export const OUTBOUND_CONSUMER = 'bridge';
/** A message the peer refused this many times is dropped (counted), not retried for ever. */
export const PEER_REFUSALS = 5;
const CHECK_MS = 1_000;

/** What the buffer holds now. */
export interface BufferReading {
  readonly messages: number;
  readonly bytes: number;
  /** Age of the oldest buffered message (ms), or undefined when empty. */
  readonly oldestAgeMs: number | undefined;
}

/** Counts of this incarnation of the pump. */
export interface OutboundCounts {
  sent: number;
  /** Skipped because this bridge brought them from the peer (the origin mark). */
  returned: number;
  /** Skipped because no outbound rule matches their topic (the parent of a `#` filter). */
  unrouted: number;
}

export interface OutboundPumpOptions {
  readonly nats: SiteNats;
  readonly stream: string;
  readonly rules: readonly BridgeRule[];
  readonly inflight: number;
  /** The buffer consumer's ack wait. */
  readonly ackWaitMs: number;
  /** This bridge's origin mark (`<site>/<id>`). */
  readonly origin: string;
  readonly peer: Peer;
  /** Sequences up to this one were accounted for by an earlier incarnation. */
  readonly floor: number;
  readonly clock: Clock;
  readonly log: Logger;
  /** Hears drops: `count` more messages left the buffer unsent, all up to `upTo` are accounted for. `reason` says why, when not a limit. */
  onDropped(count: number, upTo: number, reason?: string): void;
}

/**
 * Sends what the outbound buffer (the bridge's stream) holds to the peer in capture order, at most
 * `inflight` unacknowledged, only while the peer is up, and acks each buffered message only when the peer acknowledged it
 * (so it leaves the buffer then: the stream is a work queue). What the bridge brought from the
 * peer is acked unsent. Every second it reads the buffer and counts what its limits dropped.
 */
export class OutboundPump {
  readonly counts: OutboundCounts = { sent: 0, returned: 0, unrouted: 0 };
  private reading: BufferReading = { messages: 0, bytes: 0, oldestAgeMs: undefined };
  private floor: number;
  /** When the buffer stream was made: with a sequence, what names a buffered message for good. */
  private created = '';
  /** What this run took from the buffer and has not acked or given back, by stream sequence. */
  private readonly held = new Map<number, JsMsg>();
  /** Publishes waiting for the peer's acknowledgement, and who waits for one to land. */
  private flying = 0;
  private readonly slotFreed: (() => void)[] = [];
  /** How often the peer refused each message (a redelivery while it waited is not a refusal). */
  private readonly refusals = new Map<number, number>();

  constructor(private readonly o: OutboundPumpOptions) {
    this.floor = o.floor;
  }

  get buffer(): BufferReading {
    return this.reading;
  }

  /** Runs until `signal` aborts; what is in flight then is left to the next run (redelivered at once). */
  async run(signal: AbortSignal): Promise<void> {
    const { jsm, js } = this.o.nats;
    const existing = await jsm.consumers.info(this.o.stream, OUTBOUND_CONSUMER).catch(() => undefined);
    const config = { durable_name: OUTBOUND_CONSUMER, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: nanos(this.o.ackWaitMs), max_ack_pending: this.o.inflight };
    if (existing) {
      if (existing.config.max_ack_pending !== this.o.inflight || existing.config.ack_wait !== config.ack_wait) await jsm.consumers.update(this.o.stream, OUTBOUND_CONSUMER, { max_ack_pending: this.o.inflight, ack_wait: config.ack_wait });
      this.floor = Math.max(this.floor, existing.delivered.stream_seq);
    } else {
      await jsm.consumers.add(this.o.stream, config);
      // A new reader knows nothing of what left before it: nothing before the first is counted.
      const info = await jsm.streams.info(this.o.stream);
      this.floor = Math.max(this.floor, info.state.first_seq - 1);
    }
    this.created = String(Date.parse((await jsm.streams.info(this.o.stream)).created));
    const messages = await (await js.consumers.get(this.o.stream, OUTBOUND_CONSUMER)).consume({ max_messages: this.o.inflight });
    // This run ends when `signal` aborts, or at once on a delivery gap or a reconnect (then the
    // consumer is reset below), also while it waits for the peer or a free slot.
    const run = new AbortController();
    const stop = (): void => {
      run.abort();
      void messages.stop();
      for (const r of this.slotFreed.splice(0)) r();
    };
    signal.addEventListener('abort', stop, { once: true });
    const watcher = setInterval(() => void this.check(), CHECK_MS);
    // An unacknowledged message is redelivered after the ack wait: those waiting for the peer say they are still at work.
    const keepAlive = setInterval(() => this.held.forEach((m) => m.working()), this.o.ackWaitMs / 3);
    // The consumer's delivery number of the last message of this run, and whether one was skipped.
    let lastDelivery: number | undefined;
    let gap: string | undefined;
    // Deliveries on their way when the connection dropped are lost; if they fill the consumer's
    // max_ack_pending, no later one comes to show the gap, and the buffer would wait the ack wait.
    const unwatch = onReconnect(this.o.nats.connection, () => {
      gap = "the node's connection to its server was made again: deliveries on their way may be lost";
      stop();
    });
    try {
      await this.check();
      for await (const m of messages) {
        const delivery = m.info.deliverySequence;
        if (!deliveryFollows(lastDelivery, delivery)) {
          // Deliveries the server counted as made never reached this node (its connection cut with
          // them in flight): it would hand them out again only after the ack wait, behind newer
          // ones, and the peer would get them out of order. This run ends; the consumer goes back
          // to its ack floor, and the next run gets everything unacked in buffer order.
          gap = `consumer delivery ${delivery} followed ${lastDelivery}: deliveries were lost on the way`;
          break;
        }
        lastDelivery = delivery;
        // A copy of one this run holds (redelivered while it waited) is left to the one held.
        if (this.held.has(m.seq)) continue;
        this.held.set(m.seq, m);
        // While the peer is away messages stay in the buffer, where its limits count what they drop;
        // at most as many unacknowledged as the peer takes (its Receive Maximum).
        await this.o.peer.whenUp(run.signal);
        while (!run.signal.aborted && this.flying >= Math.min(this.o.inflight, this.o.peer.receiveMaximum)) await new Promise<void>((r) => this.slotFreed.push(r));
        if (run.signal.aborted) break;
        this.handle(m);
      }
    } finally {
      unwatch();
      clearInterval(watcher);
      clearInterval(keepAlive);
      signal.removeEventListener('abort', stop);
      void messages.stop();
      // Given back at once rather than after the ack wait.
      for (const m of this.held.values()) m.nak();
      this.held.clear();
      this.flying = 0;
      for (const r of this.slotFreed.splice(0)) r();
    }
    if (gap !== undefined && !signal.aborted) {
      this.o.log.warn({ stream: this.o.stream, reason: gap }, 'bridge: outbound deliveries were lost on the way; reading the buffer again from the first unacknowledged message');
      await resetConsumer(this.o.nats.connection, jsm, this.o.stream, OUTBOUND_CONSUMER);
    }
  }

  private release(m: JsMsg): boolean {
    if (this.held.get(m.seq) !== m) return false;
    this.held.delete(m.seq);
    return true;
  }

  private handle(m: JsMsg): void {
    this.account(dropsBeforeDelivery(this.floor, m.seq));
    const decision = outboundDecision(this.o.rules, m.subject, m.headers?.get(ORIGIN_HEADER) || undefined, this.o.origin);
    if (decision.kind === 'skip') {
      this.counts[decision.why === 'from-peer' ? 'returned' : 'unrouted'] += 1;
      this.release(m);
      m.ack();
      return;
    }
    const { topic, qos } = decision.crossing;
    this.flying += 1;
    const landed = (): void => {
      this.flying -= 1;
      this.slotFreed.shift()?.();
    };
    this.o.peer.publish(topic, m.data, qos, `${this.o.origin}:${this.created}:${m.seq}`).then(
      () => {
        landed();
        // Given back by a run that ended meanwhile: the next run sends it (again).
        if (!this.release(m)) return;
        this.refusals.delete(m.seq);
        this.counts.sent += 1;
        m.ack();
      },
      (err: unknown) => {
        landed();
        if (!this.release(m)) return;
        // The peer is not ready for it (no answer yet): sent again, not counted as a refusal.
        if ((err as { notReady?: boolean }).notReady) {
          m.nak(1_000);
          return;
        }
        // The peer refused it (an MQTT 5 reason code), or the link was closed under it.
        const refusals = (this.refusals.get(m.seq) ?? 0) + 1;
        if (refusals >= PEER_REFUSALS) {
          this.refusals.delete(m.seq);
          m.term();
          this.o.onDropped(1, this.floor, `the peer refused it ${PEER_REFUSALS} times: ${(err as Error).message}`);
          return;
        }
        this.refusals.set(m.seq, refusals);
        this.o.log.warn({ err, topic, attempt: refusals }, 'bridge: the peer did not take a message; it is sent again');
        m.nak(1_000 * refusals);
      },
    );
  }

  private account(count: { dropped: number; floor: number }): void {
    this.floor = count.floor;
    if (count.dropped > 0) this.o.onDropped(count.dropped, count.floor);
  }

  private async check(): Promise<void> {
    try {
      // The stream first: what is delivered and acked between the two reads is then not taken for a drop.
      const stream = await this.o.nats.jsm.streams.info(this.o.stream);
      const consumer = await this.o.nats.jsm.consumers.info(this.o.stream, OUTBOUND_CONSUMER);
      const { state } = stream;
      this.reading = {
        messages: state.messages,
        bytes: state.bytes,
        oldestAgeMs: state.messages > 0 ? Math.max(0, this.o.clock.now() - Date.parse(state.first_ts)) : undefined,
      };
      this.account(dropsBeforeFirst(this.floor, state.first_seq, consumer.delivered.stream_seq));
    } catch (err) {
      this.o.log.debug({ err }, 'bridge: buffer not read');
    }
  }
}
