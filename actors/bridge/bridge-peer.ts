import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import type { Clock } from '../../kernel/index.ts';
import { backoffDelayMs } from '../../protocols/index.ts';

/** Reconnect delays to a peer that is down: 1 s, doubling, at most 30 s. */
export function peerRetryDelayMs(failures: number): number {
  return backoffDelayMs(Math.max(1, failures), { initialMs: 1_000, maxMs: 30_000 });
}

/** The bridge's side of its link to the peer, whatever the peer speaks. */
export interface Peer {
  /**
   * Publishes at the peer; resolves once the peer has it (acknowledged, or taken in). While the
   * link is down it waits, queued. `id` names the message for a peer that de-duplicates (JetStream).
   */
  publish(topic: string, payload: Uint8Array, qos: 0 | 1 | 2, id?: string): Promise<void>;
  /** Resolves when the link is up (at once if it is), or when `signal` aborts. */
  whenUp(signal: AbortSignal): Promise<void>;
  readonly connected: boolean;
  /** Since when the link is up (clock ms), or undefined while it is down. */
  readonly since: number | undefined;
  /** How many publishes the peer takes unacknowledged. */
  readonly receiveMaximum: number;
  readonly url: string;
  close(): Promise<void>;
}

export interface PeerLinkOptions {
  readonly url: string;
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly keepaliveS: number;
  /** Filters to subscribe to at the peer (noLocal: the peer never sends back what this link published). */
  readonly subscriptions: Readonly<Record<string, { qos: 0 | 1 | 2 }>>;
  /** Filters an earlier config subscribed to that this one does not: unsubscribed (the session outlives the config). */
  readonly unsubscribe: readonly string[];
  /** Hears that the subscriptions were made at the peer. */
  onSubscribed(filters: readonly string[]): void;
  /** Takes one message from the peer onto the site; the peer's acknowledgement waits for it, and the next message too. */
  bring(topic: string, payload: Buffer): Promise<void>;
  /** How many times a message from the peer that cannot be brought onto the site is tried before the link is dropped (the peer sends it again). @default 4 */
  readonly bringAttempts?: number;
  /** Hears the link go up, or down with the reason. */
  onState(up: boolean, reason?: string): void;
  readonly clock: Clock;
}

/**
 * The bridge's MQTT 5 connection to its peer. A persistent session (clean start off, kept a day)
 * keeps the peer's subscriptions and both sides' QoS 1/2 exchanges across a cut link: MQTT.js
 * sends again what the peer did not acknowledge, and QoS 2 makes that exactly once. A peer that is
 * down is retried with backoff (peerRetryDelayMs). What the peer sends is brought onto the site
 * one message at a time, acknowledged to the peer only once it is there.
 */
export class PeerLink implements Peer {
  private failures = 0;
  private closed = false;
  private lastError = '';
  /** Incoming QoS 0 messages, brought one after the other. */
  private qos0: Promise<void> = Promise.resolve();
  private maxInflight = 65_535;
  private upSince: number | undefined;
  /** QoS 2 packet ids brought and not yet released by the peer: a resent PUBLISH of one is not brought twice. */
  private readonly broughtQos2 = new Set<number>();

  private constructor(
    private readonly client: MqttClient,
    private readonly o: PeerLinkOptions,
  ) {}

  static async open(o: PeerLinkOptions): Promise<PeerLink> {
    const { connect } = await import('mqtt');
    let link: PeerLink | undefined;
    const options: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 86_400 },
      keepalive: o.keepaliveS,
      reconnectPeriod: peerRetryDelayMs(1),
      connectTimeout: 10_000,
      resubscribe: true,
      ...(o.username === undefined ? {} : { username: o.username, password: o.password }),
      // QoS 1 and 2: acknowledged once on the site. The client handles the next packet only after.
      customHandleAcks: (topic, message, packet, done) => {
        void link!.received(topic, message, packet).then(
          () => done(0),
          (err: unknown) => link!.giveUp(err),
        );
      },
    };
    const client = connect(o.url, options);
    link = new PeerLink(client, o);
    link.watch();
    return link;
  }

  private async received(topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    const id = packet.messageId;
    if (packet.qos === 2 && id !== undefined && packet.dup && this.broughtQos2.has(id)) return;
    await this.bringRetrying(topic, payload);
    if (packet.qos === 2 && id !== undefined) this.broughtQos2.add(id);
  }

  /** Brings a message onto the site, trying again with backoff (the site's server may be restarting). */
  private async bringRetrying(topic: string, payload: Buffer): Promise<void> {
    const attempts = this.o.bringAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.o.bring(topic, payload);
      } catch (err) {
        if (attempt >= attempts || this.closed) throw err;
        await new Promise((r) => setTimeout(r, backoffDelayMs(attempt, { initialMs: 500, maxMs: 4_000 })));
      }
    }
  }

  /**
   * A message from the peer could not be brought onto the site: the link is dropped unacknowledged
   * (the client would otherwise hold every later packet, acknowledgements too, behind it), and the
   * peer sends it again on the persistent session when the link is back.
   */
  private giveUp(err: unknown): void {
    if (this.closed) return;
    this.lastError = `a message from the peer could not be brought onto the site (${(err as Error).message}); reconnecting so that the peer sends it again`;
    this.client.stream?.destroy();
  }

  private watch(): void {
    const subscribe = Object.fromEntries(Object.entries(this.o.subscriptions).map(([filter, { qos }]) => [filter, { qos, nl: true }]));
    this.client.on('connect', (connack) => {
      this.failures = 0;
      this.client.options.reconnectPeriod = peerRetryDelayMs(1);
      this.upSince = this.o.clock.now();
      this.maxInflight = connack.properties?.receiveMaximum ?? 65_535;
      // QoS 2 exchanges of a session the peer no longer has are over.
      if (!connack.sessionPresent) this.broughtQos2.clear();
      this.o.onState(true);
      void this.subscribe(subscribe);
    });
    // QoS 0 has no acknowledgement to hold: each is brought in turn, and one that fails is lost (QoS 0).
    this.client.on('message', (topic, payload, packet) => {
      if (packet.qos !== 0) return;
      this.qos0 = this.qos0.then(() => this.bringRetrying(topic, payload)).catch(() => undefined);
    });
    this.client.on('packetreceive', (packet) => {
      if (packet.cmd === 'pubrel' && packet.messageId !== undefined) this.broughtQos2.delete(packet.messageId);
    });
    this.client.on('error', (err) => {
      this.lastError = err.message;
    });
    // Before the client's own close handler, which arms the reconnect timer with this period.
    this.client.prependListener('close', () => {
      const wasUp = this.upSince !== undefined;
      this.upSince = undefined;
      this.failures += 1;
      this.client.options.reconnectPeriod = peerRetryDelayMs(this.failures);
      if (wasUp || this.failures === 1) this.o.onState(false, this.lastError || 'connection closed');
      this.lastError = '';
    });
  }

  /**
   * Subscribes on every connect (a session the peer kept may hold an older config's filters, a
   * new one holds none) and drops the filters the config no longer has.
   */
  private async subscribe(subscribe: Record<string, { qos: 0 | 1 | 2; nl: boolean }>): Promise<void> {
    try {
      if (this.o.unsubscribe.length > 0) await this.client.unsubscribeAsync([...this.o.unsubscribe]);
      if (Object.keys(subscribe).length > 0) {
        const granted = await this.client.subscribeAsync(subscribe);
        const refused = granted.filter((g) => g.qos >= 0x80);
        if (refused.length > 0) throw new Error(`refused ${refused.map((g) => `${g.topic} (reason ${g.qos})`).join(', ')}`);
      }
      this.o.onSubscribed(Object.keys(subscribe));
    } catch (err) {
      this.o.onState(this.client.connected, `the peer did not take the subscriptions: ${(err as Error).message}`);
    }
  }

  /** How many QoS 1/2 publishes the peer takes unacknowledged (its Receive Maximum). */
  get receiveMaximum(): number {
    return this.maxInflight;
  }

  /** Publishes at the peer; resolves when the peer acknowledged it (PUBACK for QoS 1, PUBCOMP for 2), or at once for QoS 0 once written. While the link is down it waits, queued. */
  async publish(topic: string, payload: Uint8Array, qos: 0 | 1 | 2): Promise<void> {
    await this.client.publishAsync(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Resolves when the link is up (at once if it is), or when `signal` aborts. */
  async whenUp(signal: AbortSignal): Promise<void> {
    if (this.client.connected || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.client.off('connect', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.client.on('connect', done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Since when the link is up (clock ms), or undefined while it is down. */
  get since(): number | undefined {
    return this.upSince;
  }

  get url(): string {
    return this.o.url;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.endAsync(true).catch(() => undefined);
  }
}
