import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import { mqttFilterSubjects } from '../../protocols/index.ts';
import type { Peer, PeerLinkOptions } from './bridge-peer.ts';
import { peerRetryDelayMs } from './bridge-peer.ts';

/**
 * The bridge's link to a remote NATS server. Topics map to subjects as nats-server's MQTT gateway
 * maps them (`a/b` is `a.b`). Outbound: with `jetstream`, a JetStream publish that the peer's
 * stream acknowledges; without, a core publish the peer's server has taken in (a flush). Inbound:
 * core subscriptions (at most once: NATS keeps nothing for a subscriber that is away), brought
 * onto the site one at a time. `noEcho`: the peer never sends back what this link published.
 */
export class NatsPeer implements Peer {
  private upSince: number | undefined;
  private incoming: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private closed = false;

  private constructor(private readonly o: PeerLinkOptions & { readonly jetstream: boolean }) {}

  /** Returns at once; the link connects in the background (a peer that is down is tried again and again). */
  static async open(o: PeerLinkOptions & { readonly jetstream: boolean }): Promise<NatsPeer> {
    const peer = new NatsPeer(o);
    void peer.connect();
    return peer;
  }

  /** Connects, trying again with backoff while the peer is unreachable, until connected or closed. */
  private async connect(): Promise<void> {
    const { o } = this;
    for (let failures = 1; !this.closed; failures++) {
      let nc: NatsConnection;
      try {
        nc = await connect({
          servers: o.url,
          name: o.clientId,
          noEcho: true,
          // A peer that refuses the login twice is still tried again (an operator fixing its users).
          ignoreAuthErrorAbort: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: peerRetryDelayMs(1),
          pingInterval: o.keepaliveS * 1000,
          ...(o.username === undefined ? {} : { user: o.username, pass: o.password }),
        });
      } catch (err) {
        if (this.closed) return;
        if (failures === 1) o.onState(false, (err as Error).message);
        await new Promise((r) => setTimeout(r, peerRetryDelayMs(failures)));
        continue;
      }
      if (this.closed) return void nc.close();
      this.nc = nc;
      this.js = o.jetstream ? jetstream(nc) : undefined;
      this.watch(nc);
      return;
    }
  }

  private watch(nc: NatsConnection): void {
    const up = (): void => {
      this.upSince = this.o.clock.now();
      this.o.onState(true);
      for (const w of this.waiters) w();
      this.waiters.clear();
    };
    up();
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          this.upSince = undefined;
          this.o.onState(false, 'connection lost');
        } else if (s.type === 'reconnect') up();
      }
    })().catch(() => undefined);
    for (const filter of Object.keys(this.o.subscriptions)) {
      for (const subject of mqttFilterSubjects(filter)) {
        nc.subscribe(subject, {
          callback: (err, m) => {
            if (err) return;
            const topic = m.subject.split('.').join('/');
            this.incoming = this.incoming.then(() => this.o.bring(topic, Buffer.from(m.data))).catch(() => undefined);
          },
        });
      }
    }
    this.o.onSubscribed(Object.keys(this.o.subscriptions));
  }

  async publish(topic: string, payload: Uint8Array, _qos: 0 | 1 | 2, id?: string): Promise<void> {
    const subject = topic.split('/').join('.');
    const nc = this.nc;
    if (!nc) throw new Error(`not connected to ${this.o.url} yet`);
    if (this.js) {
      try {
        // The id makes a publish sent again (its ack lost with the link) stored once, within the peer stream's duplicate window.
        await this.js.publish(subject, payload, id === undefined ? {} : { msgID: id });
      } catch (err) {
        // No stream answered yet (the peer's JetStream is still starting), or no answer in time:
        // not a refusal of the message, which is sent again.
        const e = err as Error;
        if (e.name === 'NoRespondersError' || e.name === 'TimeoutError' || /no responders|timeout/i.test(e.message)) throw Object.assign(new Error(`the peer's JetStream did not answer: ${e.message}`), { notReady: true });
        throw err;
      }
      return;
    }
    nc.publish(subject, payload);
    await nc.flush();
  }

  async whenUp(signal: AbortSignal): Promise<void> {
    if (this.connected || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  get connected(): boolean {
    return this.upSince !== undefined && this.nc !== undefined && !this.nc.isClosed();
  }

  get since(): number | undefined {
    return this.upSince;
  }

  get receiveMaximum(): number {
    return 1_024;
  }

  get url(): string {
    return this.o.url;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.nc?.close().catch(() => undefined);
  }
}
