import type { NatsConnection } from '@nats-io/transport-node';
import { headers as natsHeaders, nuid } from '@nats-io/transport-node';
import type { StreamPublisher } from './stream-publisher.ts';
import { CairnError, ENVELOPE_VERSION, Headers, KernelCodes, Subjects, encodeEnvelope, formatAddress, backoffDelayMs, isCairnError } from '../protocols/index.ts';
import type { ActorAddress, Envelope } from '../protocols/index.ts';
import type { AskOptions, MessageSender, TellAllOptions, TellItem, TellOptions } from './actor-ref.ts';
import type { Message } from './message.ts';
import type { ReplyRouter } from './reply-router.ts';
import type { Clock } from './clock.ts';

/** JetStream API error code for "maximum messages per subject exceeded" (mailbox at capacity). */
const MAILBOX_FULL_API_CODE = 10077;

export const DEFAULT_TELL_TIMEOUT_MS = 30_000;
export const DEFAULT_ASK_TIMEOUT_MS = 5_000;

/** Extra fields an actor context adds to what it sends. */
export interface SendMeta {
  readonly from: string;
  /** Makes the id of the n-th message sent while handling one message deterministic, so a retried handler's sends are de-duplicated by JetStream. */
  nextId?(): string;
}

/**
 * Sends envelopes into mailboxes with JetStream (a tell resolves once the stream has stored it)
 * and waits for ask replies through the ReplyRouter. When the target mailbox is full the send is
 * retried with backoff until `timeout`: that is how backpressure reaches `tell`.
 */
export class NatsSender implements MessageSender {
  constructor(
    private readonly nc: NatsConnection,
    private readonly publisher: StreamPublisher,
    private readonly replies: ReplyRouter,
    private readonly meta: SendMeta,
    private readonly clock: Clock,
    /** This node's site: messages to other sites go to its outbox, never straight across a link. */
    private readonly localSite?: string,
  ) {}

  /** The same connection, sending as someone else. */
  as(meta: SendMeta): NatsSender {
    return new NatsSender(this.nc, this.publisher, this.replies, meta, this.clock, this.localSite);
  }

  /**
   * Where a message to `to` is stored first: the target's mailbox on this site, or this site's
   * outbox for another site (so a tell never needs the link to be up).
   */
  private subjectFor(to: ActorAddress): string {
    if (this.localSite === undefined || to.site === this.localSite) return Subjects.mailbox(to.site, to.actor);
    return Subjects.outbox(this.localSite, to.site, to.actor);
  }

  async tell(to: ActorAddress, msg: Message, opts: TellOptions = {}): Promise<void> {
    const env = this.envelope(to, msg, opts);
    const ttl = opts.ttl === undefined ? undefined : ttlSeconds(opts.ttl, env.to);
    await this.publish(to, env, opts.timeout ?? DEFAULT_TELL_TIMEOUT_MS, opts.signal, ttl);
  }

  /**
   * Several messages to one actor in order. To a mailbox of this site (whose stream allows atomic
   * batches) they are stored as one batch: all, in order, or none; a batch the stream refuses (a
   * full mailbox, an id it holds already) is stored again one tell at a time, which waits for room
   * and stores a repeated id once. Elsewhere (another site's, through the outbox) one tell at a time.
   */
  async tellAll(to: ActorAddress, items: readonly TellItem[], opts: TellAllOptions = {}): Promise<void> {
    const local = this.localSite === undefined || to.site === this.localSite;
    if (items.length > 1 && local && opts.ttl === undefined) {
      const envs = items.map((item) => this.envelope(to, item.msg, { ...opts, id: item.id }));
      const batch = envs.map((env) => {
        const h = natsHeaders();
        h.set(Headers.msgId, dedupKey(env));
        return { data: this.encode(env), headers: h };
      });
      try {
        await this.publisher.publishBatch(this.subjectFor(to), batch);
        return;
      } catch {
        // One at a time below: each tell says why it cannot be stored, or waits for room.
      }
    }
    for (const item of items) await this.tell(to, item.msg, { ...opts, id: item.id });
  }

  async ask(to: ActorAddress, msg: Message, opts: AskOptions = {}): Promise<unknown> {
    const timeout = opts.timeout ?? DEFAULT_ASK_TIMEOUT_MS;
    const cid = nuid.next();
    const target = formatAddress(to);
    const waiter = this.replies.expect(cid, timeout, target, opts.signal);
    // The reply may settle (abort, timeout) while the publish is still awaited: mark it handled now.
    waiter.reply.catch(() => undefined);
    let env: Envelope;
    let ttl: number;
    try {
      env = { ...this.envelope(to, msg, opts), cid, reply: waiter.replySubject };
      // A request nobody waits for any more is not handled later: its ttl is the timeout by default.
      ttl = ttlSeconds(opts.ttl ?? Math.max(MIN_TTL_MS, timeout), env.to);
    } catch (err) {
      waiter.cancel(err as Error);
      return waiter.reply;
    }
    try {
      await this.publish(to, env, timeout, opts.signal, ttl);
    } catch (err) {
      waiter.cancel(err as Error);
    }
    return waiter.reply;
  }

  private envelope(to: ActorAddress, msg: Message, opts: TellOptions | AskOptions): Envelope {
    if (typeof msg !== 'object' || msg === null || typeof msg.type !== 'string' || msg.type === '') {
      throw new CairnError(KernelCodes.INVALID_OPTION, `message to ${formatAddress(to)} must be an object with a non-empty string "type" (got ${JSON.stringify(msg)?.slice(0, 80)})`);
    }
    return {
      v: ENVELOPE_VERSION,
      id: opts.id ?? this.meta.nextId?.() ?? nuid.next(),
      type: msg.type,
      from: this.meta.from,
      to: formatAddress(to),
      ...(opts.headers ? { hdr: opts.headers } : {}),
      ts: this.clock.now(),
      body: msg,
    };
  }

  private encode(env: Envelope): Uint8Array {
    try {
      return encodeEnvelope(env);
    } catch (cause) {
      throw new CairnError(KernelCodes.INVALID_OPTION, `message ${env.type} to ${env.to} cannot be encoded as MessagePack (${(cause as Error).message}); send plain data: objects, arrays, strings, numbers, booleans, null, Uint8Array`, { cause, details: { target: env.to, type: env.type } });
    }
  }

  private async publish(to: ActorAddress, env: Envelope, timeoutMs: number, signal?: AbortSignal, ttl?: number): Promise<void> {
    const subject = this.subjectFor(to);
    const data = this.encode(env);
    const deadline = this.clock.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new CairnError(KernelCodes.ABORTED, `send to ${env.to} aborted`, { cause: signal.reason });
      try {
        // De-duplication is per target: the same id sent to two actors is two messages. One stream
        // holds every mailbox of a site (and one outbox every site's outgoing messages), so the
        // server's key must carry the target.
        await this.publisher.publish(subject, data, dedupKey(env), ttl);
        return;
      } catch (err) {
        if (apiCode(err) !== MAILBOX_FULL_API_CODE) throw translatePublishError(err, env.to, to.site);
        if (this.clock.now() >= deadline) {
          throw new CairnError(KernelCodes.MAILBOX_FULL, `mailbox of ${env.to} stayed full for ${timeoutMs} ms; slow the sender, raise mailbox capacity, or check the actor consumes (\`cairn ps\`)`, { cause: err, details: { target: env.to } });
        }
        await this.clock.sleep(backoffDelayMs(attempt + 1, { initialMs: 5, maxMs: 500 }), signal).catch((reason) => {
          throw new CairnError(KernelCodes.ABORTED, `send to ${env.to} aborted`, { cause: reason });
        });
      }
    }
  }
}

/** The shortest time to live nats-server takes (it counts whole seconds). */
export const MIN_TTL_MS = 1_000;

/** A `ttl` option in ms as the whole seconds of a Nats-TTL header (rounded up); a bad value is a coded error. */
export function ttlSeconds(ttlMs: number, target: string): number {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < MIN_TTL_MS) {
    throw new CairnError(KernelCodes.INVALID_OPTION, `ttl ${String(ttlMs)} for a message to ${target} is not valid: give a time to live in ms of at least ${MIN_TTL_MS} (nats-server counts whole seconds), or leave it out`, { details: { ttl: ttlMs } });
  }
  return Math.ceil(ttlMs / 1_000);
}

/** The `Nats-Msg-Id` of an envelope: `<to>|<id>`. */
export function dedupKey(env: Pick<Envelope, 'to' | 'id'>): string {
  return `${env.to}|${env.id}`;
}

function apiCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Every failure of a send reaches the caller of tell/ask as a CairnError with a registered code. */
export function translatePublishError(err: unknown, target: string, site: string): CairnError {
  if (isCairnError(err)) return err;
  const name = (err as Error)?.name ?? '';
  const message = (err as Error)?.message ?? String(err);
  if (name === 'NoRespondersError' || /no responders/i.test(message)) {
    return new CairnError(KernelCodes.JETSTREAM_UNAVAILABLE, `no mailbox stream answers for site "${site}" (sending to ${target}); start a node of that site or check JetStream is enabled`, { cause: err });
  }
  if (['PublisherClosedError', 'ClosedConnectionError', 'DrainingConnectionError'].includes(name) || /closed connection|connection draining/i.test(message)) {
    return new CairnError(KernelCodes.SYSTEM_NOT_RUNNING, `the actor system shut down before JetStream confirmed the message to ${target}`, { cause: err });
  }
  const why = name === 'TimeoutError' ? `no confirmation from JetStream (${message})` : `JetStream refused it: ${message}`;
  return new CairnError(KernelCodes.SEND_FAILED, `message to ${target} was not confirmed stored: ${why}; check the site server and send again (the same id is not stored twice)`, { cause: err, details: { target, ...(apiCode(err) === undefined ? {} : { apiCode: apiCode(err) }) } });
}
