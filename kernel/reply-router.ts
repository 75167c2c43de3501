import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { createInbox } from '@nats-io/transport-node';
import { CairnError, EnvelopeTypes, KernelCodes, decodeEnvelope, isCairnError } from '../protocols/index.ts';
import type { ErrorBody } from '../protocols/index.ts';

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  cleanup(): void;
}

/**
 * Routes ask replies: one core NATS subscription per node on `<inbox>.*`, one map entry per
 * outstanding ask. Replies for unknown correlation ids (late, or duplicated by a redelivery) are
 * dropped.
 */
export class ReplyRouter {
  private readonly prefix = createInbox();
  private readonly pending = new Map<string, Pending>();
  private readonly sub: Subscription;

  constructor(nc: NatsConnection) {
    this.sub = nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const cid = msg.subject.slice(this.prefix.length + 1);
        const waiter = this.pending.get(cid);
        if (!waiter) return;
        try {
          const env = decodeEnvelope(msg.data);
          if (env.type === EnvelopeTypes.error) {
            const body = env.body as ErrorBody;
            waiter.reject(new CairnError(KernelCodes.REMOTE_ERROR, `${env.from ?? 'actor'} failed: [${body.code}] ${body.message}`, { details: { remoteCode: body.code, from: env.from } }));
          } else {
            waiter.resolve(env.body);
          }
        } catch (e) {
          waiter.reject(isCairnError(e) ? e : new CairnError(KernelCodes.UNDECODABLE, `the reply to an ask was not a valid envelope: ${(e as Error).message}`, { cause: e }));
        }
      },
    });
  }

  /** Registers an ask; returns where the reply must be sent and the promise of it. */
  expect(cid: string, timeoutMs: number, target: string, signal?: AbortSignal): { replySubject: string; reply: Promise<unknown>; cancel(err: Error): void } {
    let pending!: Pending;
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.reject(new CairnError(KernelCodes.ASK_TIMEOUT, `no reply from ${target} within ${timeoutMs} ms; the request is not handled once its ttl (the timeout, unless you gave a longer ttl) has passed since it was stored. Raise the timeout or check the actor with \`cairn ps\``, { details: { target, timeoutMs } }));
      }, timeoutMs);
      const onAbort = (): void => pending.reject(new CairnError(KernelCodes.ABORTED, `ask to ${target} aborted`, { cause: signal?.reason }));
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(cid);
      };
      pending = {
        resolve: (v) => { cleanup(); resolve(v); },
        reject: (e) => { cleanup(); reject(e); },
        cleanup,
      };
      this.pending.set(cid, pending);
    });
    if (signal?.aborted) pending.reject(new CairnError(KernelCodes.ABORTED, `ask to ${target} aborted`, { cause: signal.reason }));
    return { replySubject: `${this.prefix}.${cid}`, reply, cancel: (err) => pending.reject(err) };
  }

  close(): void {
    for (const p of this.pending.values()) p.reject(new CairnError(KernelCodes.SYSTEM_NOT_RUNNING, 'the actor system shut down before the reply arrived'));
    this.sub.unsubscribe();
  }
}
