import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import { createInbox, headers as natsHeaders } from '@nats-io/transport-node';
import { Headers } from '../protocols/index.ts';

/** A JetStream publish ack error, with the server's API error code (10077: mailbox full). */
export class PublishAckError extends Error {
  override readonly name = 'PublishAckError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  deadline: number;
}

const decoder = new TextDecoder();

/**
 * Publishes to JetStream and waits for the stream's ack, the way `js.publish` does, but with one
 * subscription and one timeout sweep for all publishes instead of a request (timer, deferred,
 * muxed entry) per message: the tell path's hottest code. The ack is JSON `{stream, seq}` or
 * `{error: {code, err_code, description}}`; a 503 status means no stream listens.
 */
export class StreamPublisher {
  private readonly prefix = createInbox();
  private readonly waiting = new Map<string, Waiter>();
  private readonly sub: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private n = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5_000,
  ) {
    this.sub = nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => {
        if (!err) this.settle(msg);
      },
    });
    this.sweeper = setInterval(() => this.sweep(), Math.min(250, timeoutMs / 4));
    this.sweeper.unref();
  }

  /**
   * Resolves once the stream stored the message (or found it a duplicate of `msgId`). With
   * `ttlSeconds` the stream deletes it after that long (nats-server per-message TTL).
   */
  publish(subject: string, data: Uint8Array, msgId: string, ttlSeconds?: number): Promise<void> {
    const h = natsHeaders();
    h.set(Headers.msgId, msgId);
    if (ttlSeconds !== undefined) h.set(Headers.ttl, `${ttlSeconds}s`);
    return this.publishWithHeaders(subject, data, h);
  }

  /** Resolves once the stream stored the message, whose headers (its `Nats-Msg-Id` among them) the caller made. */
  publishWithHeaders(subject: string, data: Uint8Array, h: MsgHdrs): Promise<void> {
    const token = (++this.n).toString(36);
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      try {
        this.nc.publish(subject, data, { reply: `${this.prefix}.${token}`, headers: h });
      } catch (err) {
        this.waiting.delete(token);
        reject(err as Error);
      }
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const w of this.waiting.values()) w.reject(Object.assign(new Error('publisher closed'), { name: 'PublisherClosedError' }));
    this.waiting.clear();
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length + 1);
    const w = this.waiting.get(token);
    if (!w) return;
    this.waiting.delete(token);
    if (msg.headers?.code === 503) {
      w.reject(Object.assign(new Error('no responders: no stream listens on this subject'), { name: 'NoRespondersError' }));
      return;
    }
    try {
      const ack = JSON.parse(decoder.decode(msg.data)) as { stream?: string; error?: { err_code?: number; code?: number; description?: string } };
      if (ack.error) w.reject(new PublishAckError(ack.error.err_code ?? ack.error.code ?? 0, ack.error.description ?? 'publish failed'));
      else if (!ack.stream) w.reject(new Error('invalid publish ack'));
      else w.resolve();
    } catch (err) {
      w.reject(err as Error);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, w] of this.waiting) {
      if (w.deadline > now) continue;
      this.waiting.delete(token);
      w.reject(Object.assign(new Error(`no publish ack within ${this.timeoutMs} ms`), { name: 'TimeoutError' }));
    }
  }
}
