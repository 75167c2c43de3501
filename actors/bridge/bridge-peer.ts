import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import type { Clock } from '../../kernel/index.ts';

/** Reconnect delays to a peer that is down: 1 s, doubling, at most 30 s. */
export function peerRetryDelayMs(failures: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, failures - 1));
}

export interface PeerLinkOptions {
  readonly url: string;
  readonly clientId: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly keepaliveS: number;
  /** Filters to subscribe to at the peer (noLocal: the peer never sends back what this link published). */
  readonly subscriptions: Readonly<Record<string, { qos: 0 | 1 | 2 }>>;
  /** Takes one message from the peer onto the site; the peer's acknowledgement waits for it, and the next message too. */
  bring(topic: string, payload: Buffer): Promise<void>;
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
export class PeerLink {
  private failures = 0;
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
      customHandleAcks: (topic, message, packet, done) => {
        void link!.received(topic, message, packet).then(
          () => done(0),
          // Not acknowledged: the peer sends it again when the link is next up.
          () => undefined,
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
    if (packet.qos === 2 && id !== undefined) {
      if (packet.dup && this.broughtQos2.has(id)) return;
      await this.o.bring(topic, payload);
      this.broughtQos2.add(id);
      return;
    }
    await this.o.bring(topic, payload);
  }

  private watch(): void {
    const subscribe = Object.fromEntries(Object.entries(this.o.subscriptions).map(([filter, { qos }]) => [filter, { qos, nl: true }]));
    this.client.on('connect', (connack) => {
      this.failures = 0;
      this.client.options.reconnectPeriod = peerRetryDelayMs(1);
      this.upSince = this.o.clock.now();
      this.o.onState(true);
      // A new session (first connect, or the peer forgot it) has no subscriptions yet.
      if (!connack.sessionPresent && Object.keys(subscribe).length > 0) {
        this.client.subscribe(subscribe, (err) => {
          if (err) this.o.onState(true, `the peer refused the subscriptions: ${err.message}`);
        });
      }
    });
    this.client.on('packetreceive', (packet) => {
      if (packet.cmd === 'pubrel' && packet.messageId !== undefined) this.broughtQos2.delete(packet.messageId);
    });
    let lastError = '';
    this.client.on('error', (err) => {
      lastError = err.message;
    });
    this.client.on('close', () => {
      const wasUp = this.upSince !== undefined;
      this.upSince = undefined;
      this.failures += 1;
      this.client.options.reconnectPeriod = peerRetryDelayMs(this.failures);
      if (wasUp || this.failures === 1) this.o.onState(false, lastError || 'connection closed');
      lastError = '';
    });
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
    await this.client.endAsync(true).catch(() => undefined);
  }
}
