import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import { createInbox, headers as natsHeaders, nuid } from '@nats-io/transport-node';
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

const BATCH_ID = 'Nats-Batch-Id';
const BATCH_SEQ = 'Nats-Batch-Sequence';
const BATCH_COMMIT = 'Nats-Batch-Commit';

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

  /**
   * Stores `items` on `subject` as one atomic batch (nats-server 2.12+, the stream needs
   * `allow_atomic`): all of them, in this order, or none. Resolves once the stream committed the
   * batch; rejects with the stream's error (a PublishAckError: 10077 a limit such as a full
   * subject, 10201 an id it already holds) when it stored none.
   */
  publishBatch(subject: string, items: readonly { readonly data: Uint8Array; readonly headers: MsgHdrs }[]): Promise<void> {
    const id = nuid.next();
    const last = items.length - 1;
    for (let k = 0; k < last; k++) {
      const { data, headers: h } = items[k]!;
      h.set(BATCH_ID, id);
      h.set(BATCH_SEQ, String(k + 1));
      try {
        this.nc.publish(subject, data, { headers: h });
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    const { data, headers: h } = items[last]!;
    h.set(BATCH_ID, id);
    h.set(BATCH_SEQ, String(last + 1));
    h.set(BATCH_COMMIT, '1');
    return this.publishWithHeaders(subject, data, h);
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
