import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { match } from 'ts-pattern';
import { LEADER_PING_INTERVAL_MS, NODE_HOST_PROTOCOL_VERSION, NodeHostSubjects, decodeHostReply, decodeHostedGuestMessage, encodeNodeHostMessage } from '../../protocols/index.ts';
import type { GuestFrame, HostReply, HostRequest, HostedGuestMessage, LeaderMessage, NodeFrame } from '../../protocols/index.ts';
import type { Clock } from '../clock.ts';
import type { GuestChannel, GuestExit, GuestUsage } from '../guest-channel.ts';
import { onConnectionInterrupted } from './connection-watch.ts';
import { lostGuestExit } from './hosted-exit.ts';
import type { GuestLoss } from './hosted-exit.ts';

/** How long kill(), usage() and logs() wait for the host node's answer. */
export const HOST_ANSWER_TIMEOUT_MS = 2_000;

export interface RemoteNodeChannelOptions {
  readonly nc: NatsConnection;
  readonly site: string;
  readonly host: string;
  readonly incarnation: string;
  readonly isHostAlive: () => boolean | Promise<boolean>;
  readonly livenessCheckMs: number;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * The leader's end of one guest incarnation running on another node of its site. Frames travel as
 * core NATS messages on the incarnation's subjects. Core NATS may drop messages when a connection
 * breaks, and the host protocol has no retransmission, so any interruption of the leader's
 * connection ends the channel (the guest counts as crashed and is restarted by its supervisor)
 * rather than leaving a message waiting for an answer that was lost.
 */
export class RemoteNodeChannel implements GuestChannel {
  readonly exited: Promise<GuestExit>;
  private settle!: (exit: GuestExit) => void;
  private gone: GuestExit | undefined;
  private guestDescribe: string | undefined;
  private readonly listeners: ((frame: GuestFrame) => void)[] = [];
  /** Frames that came before the first onFrame listener. */
  private early: GuestFrame[] = [];
  private readonly sub: Subscription;
  private readonly lifetime = new AbortController();
  private readonly stopWatching: () => void;
  private readonly control: string;
  private readonly toGuest: string;

  constructor(private readonly opts: RemoteNodeChannelOptions) {
    this.exited = new Promise((resolve) => (this.settle = resolve));
    this.control = NodeHostSubjects.control(opts.site, opts.host);
    this.toGuest = NodeHostSubjects.toGuest(opts.site, opts.host, opts.incarnation);
    // Subscribed before the start request, so nothing the guest says early is missed.
    this.sub = opts.nc.subscribe(NodeHostSubjects.fromGuest(opts.site, opts.host, opts.incarnation), {
      callback: (err, msg) => {
        if (!err) this.onMessage(msg.data);
      },
    });
    this.stopWatching = onConnectionInterrupted(opts.nc, () => this.lose({ type: 'connection-interrupted' }));
  }

  get describe(): string {
    return `node ${this.opts.host} ${this.guestDescribe ?? 'guest (starting)'}`;
  }

  /** The host launched the guest: start pinging it and watching the host's liveness. */
  running(guestDescribe: string): void {
    this.guestDescribe = guestDescribe;
    if (this.gone) return;
    void this.pingForever();
    void this.watchHost();
  }

  /** The start failed: drop everything and ask the host to kill whatever it may have launched. */
  abandon(exit: GuestExit): void {
    if (this.end(exit)) this.tellHostToKill();
  }

  send(frame: NodeFrame): void {
    this.publish({ t: 'frame', frame });
  }

  onFrame(listener: (frame: GuestFrame) => void): void {
    this.listeners.push(listener);
    const early = this.early;
    this.early = [];
    for (const frame of early) listener(frame);
  }

  async kill(): Promise<void> {
    if (!this.gone) {
      const reply = await this.request({ v: NODE_HOST_PROTOCOL_VERSION, t: 'kill', incarnation: this.opts.incarnation }).catch(() => undefined);
      // The host publishes the exit before it answers, so a confirmed kill has normally ended the
      // channel by now; the fallbacks cover a lost exit message and a host that does not answer.
      if (reply?.t === 'killed') this.end(lostGuestExit({ type: 'kill-confirmed' }, this.opts.host));
      else this.end(lostGuestExit({ type: 'kill-unconfirmed', waitedMs: HOST_ANSWER_TIMEOUT_MS }, this.opts.host));
    }
    await this.exited;
  }

  async usage(): Promise<GuestUsage | undefined> {
    if (this.gone) return undefined;
    const reply = await this.request({ v: NODE_HOST_PROTOCOL_VERSION, t: 'usage', incarnation: this.opts.incarnation }).catch(() => undefined);
    return reply?.t === 'usage' ? reply.usage : undefined;
  }

  async logs(): Promise<string[]> {
    const reply = await this.request({ v: NODE_HOST_PROTOCOL_VERSION, t: 'logs', incarnation: this.opts.incarnation }).catch(() => undefined);
    return reply?.t === 'logs' ? [...reply.lines] : [];
  }

  private onMessage(data: Uint8Array): void {
    let message: HostedGuestMessage;
    try {
      message = decodeHostedGuestMessage(data);
    } catch (err) {
      this.lose({ type: 'undecodable', error: (err as Error).message });
      return;
    }
    match(message)
      .with({ t: 'frame' }, ({ frame }) => {
        if (this.listeners.length === 0) this.early.push(frame);
        else for (const l of this.listeners) l(frame);
      })
      .with({ t: 'exit' }, ({ reason, code }) => void this.end({ reason, code }))
      .exhaustive();
  }

  private async pingForever(): Promise<void> {
    const signal = this.lifetime.signal;
    while (!signal.aborted) {
      await this.opts.clock.sleep(LEADER_PING_INTERVAL_MS, signal).catch(() => undefined);
      if (!signal.aborted) this.publish({ t: 'ping' });
    }
  }

  private async watchHost(): Promise<void> {
    const signal = this.lifetime.signal;
    while (!signal.aborted) {
      await this.opts.clock.sleep(this.opts.livenessCheckMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      let alive: boolean;
      try {
        alive = await this.opts.isHostAlive();
      } catch (err) {
        // An unanswerable check is no evidence of death; the next one decides.
        this.opts.log.warn({ err, node: this.opts.host }, 'isHostAlive failed; keeping the guest');
        continue;
      }
      if (!alive) this.lose({ type: 'host-dead' });
    }
  }

  private publish(message: LeaderMessage): void {
    if (this.gone) return;
    try {
      this.opts.nc.publish(this.toGuest, encodeNodeHostMessage(message));
    } catch (err) {
      // A closed connection, or a frame over the server's max_payload: either way it is lost.
      this.lose(this.opts.nc.isClosed() ? { type: 'connection-interrupted' } : { type: 'frame-unsendable', error: (err as Error).message });
    }
  }

  private async request(request: HostRequest): Promise<HostReply> {
    const msg = await this.opts.nc.request(this.control, encodeNodeHostMessage(request), { timeout: HOST_ANSWER_TIMEOUT_MS });
    return decodeHostReply(msg.data);
  }

  private lose(loss: GuestLoss): void {
    if (this.end(lostGuestExit(loss, this.opts.host))) this.tellHostToKill();
  }

  /** Fire and forget: the host's silence watchdog kills the guest anyway once the pings stop. */
  private tellHostToKill(): void {
    try {
      this.opts.nc.publish(this.control, encodeNodeHostMessage({ v: NODE_HOST_PROTOCOL_VERSION, t: 'kill', incarnation: this.opts.incarnation }));
    } catch {
      // The connection is closed: the watchdog will do it.
    }
  }

  /** Settles `exited` once and releases everything; false when it had already ended. */
  private end(exit: GuestExit): boolean {
    if (this.gone) return false;
    this.gone = exit;
    this.lifetime.abort();
    this.stopWatching();
    this.sub.unsubscribe();
    this.settle(exit);
    return true;
  }
}
