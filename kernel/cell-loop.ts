import { EnvelopeTypes, KernelCodes, backoffDelayMs, encodeEnvelope, isCairnError, parseAddress } from '../protocols/index.ts';
import type { Envelope } from '../protocols/index.ts';
import { performance } from 'node:perf_hooks';
import type { LoopCell } from './cell-deps.ts';
import type { Delivery } from './delivery.ts';
import { errorExit } from './exit-reason.ts';
import { decideAfterFailure } from './failure-decision.ts';
import type { Message } from './message.ts';
import type { RemoteHost } from './remote-host.ts';
import { replyEnvelope } from './reply-envelope.ts';
import { storeDeadLetter } from './dead-letter-attempt.ts';
import { dedupKey } from './nats-sender.ts';

/**
 * An actor's queue of held deliveries and the loop that handles them one at a time, in stream
 * order. The handler's result decides everything: success commits the staged state (saved to KV
 * first when persisted), replies and acks; a failure goes through decideAfterFailure (retry with
 * backoff, dead letter, crash). The queue outlives incarnations: a restart resumes it.
 */
export class CellLoop<M extends Message, S> {
  private readonly queue: Delivery[] = [];
  private loop: Promise<void> | undefined;
  /** True while kick() handles messages synchronously (guards against re-entry). */
  private syncing = false;
  /** True while a guest handles the head message (a guest dying then is that attempt's failure). */
  handling = false;

  constructor(private readonly cell: LoopCell<M, S>) {}

  get length(): number {
    return this.queue.length;
  }

  /** The attempt in progress, if any (a stop waits for it). */
  get inFlight(): Promise<void> | undefined {
    return this.loop;
  }

  enqueue(delivery: Delivery): void {
    this.queue.push(delivery);
    this.kick();
  }

  /** Hands back the deliveries not handled yet (the actor is being removed). */
  take(): Delivery[] {
    return this.queue.splice(0, this.queue.length);
  }

  held(): readonly Delivery[] {
    return this.queue;
  }

  /** Handles what can be handled now; called when a message arrives and when an incarnation starts. */
  kick(): void {
    const { cell } = this;
    if (this.loop || this.syncing || !cell.isRunning()) return;
    // Fast path: an inline actor whose handler returns a plain value is handled right here, with
    // no promise chain per message (most messages of a system with many actors meet an idle
    // actor). Anything that must wait (a promise, a persisted save, a backoff, a guest) continues
    // on the async loop below, in order.
    this.syncing = true;
    try {
      while (!cell.guest() && cell.isRunning() && this.queue.length > 0) {
        const d = this.queue[0]!;
        if (d.notBefore > cell.deps.clock.now() || d.deadLetter) break;
        if (this.skipIfDone(d)) continue;
        const outcome = this.attemptInline(d);
        if (outcome instanceof Promise) {
          this.loop = outcome
            .then((crashed) => (crashed ? undefined : this.drain()))
            .catch((err: unknown) => this.loopFailed(err))
            .finally(() => {
              this.loop = undefined;
              this.kick();
            });
          return;
        }
        if (outcome) return; // crashed
      }
    } finally {
      this.syncing = false;
    }
    if (!cell.isRunning() || this.queue.length === 0) return;
    this.loop = this.drain()
      .catch((err: unknown) => this.loopFailed(err))
      .finally(() => {
        this.loop = undefined;
        this.kick();
      });
  }

  /**
   * What a failure nothing else caught costs: a pause before the head message is tried again,
   * with backoff, never a loop that retries at once (and starves the node).
   */
  private loopFailed(err: unknown): void {
    const d = this.queue[0];
    const { clock, log } = this.cell.deps;
    // An incarnation that ended under a pending save: its message waits for the next one.
    if (!this.cell.isRunning() && isCairnError(err, KernelCodes.ABORTED)) return;
    log.error({ actor: this.cell.id, err }, 'actor loop failed unexpectedly; pausing before the next try');
    if (!d) return;
    d.sideFailures = (d.sideFailures ?? 0) + 1;
    d.notBefore = clock.now() + backoffDelayMs(d.sideFailures, { initialMs: 100, maxMs: 5_000 });
  }

  private async drain(): Promise<void> {
    const { cell } = this;
    const { clock } = cell.deps;
    while (cell.isRunning() && this.queue.length > 0) {
      const d = this.queue[0]!;
      const wait = d.notBefore - clock.now();
      if (wait > 0) {
        try {
          await clock.sleep(wait, cell.incarnationSignal());
        } catch {
          return;
        }
        if (!cell.isRunning()) return;
      }
      if (this.skipIfDone(d)) continue;
      if (d.deadLetter) {
        await this.deadLetter(d, d.deadLetter);
        continue;
      }
      const guest = cell.guest();
      const outcome = guest ? this.attemptRemote(guest, d) : this.attemptInline(d);
      const crashed = outcome instanceof Promise ? await outcome : outcome;
      if (crashed) return;
    }
  }

  /** Finishes the head delivery without handling it when its ttl passed or its state change is already stored. */
  private skipIfDone(d: Delivery): boolean {
    if (this.dropIfExpired(d)) return true;
    // A message of another site sourced again after this site's server restarted, already handled.
    if (d.origin && this.cell.deps.recent.has(dedupKey(d.envelope))) {
      this.cell.stats.skipped++;
      this.finish(d);
      return true;
    }
    if (!this.cell.def.persist || !this.cell.applied.includes(d)) return false;
    // Applied before a crash, acked too late: effectively-once means not applying it again.
    this.cell.stats.skipped++;
    this.finish(d);
    return true;
  }

  /** Runs a guest's handler once for the head delivery. Resolves true when the incarnation crashed. */
  private async attemptRemote(guest: RemoteHost, d: Delivery): Promise<boolean> {
    this.handling = true;
    try {
      const outcome = await guest.handle(d.envelope, d.attempts + 1);
      if (!outcome.ok) {
        // A dead guest is named, as when it dies idle: "guest pid 42 exited with code 3".
        const error = 'exit' in outcome ? `guest ${guest.channel.describe} ${outcome.error}` : outcome.error;
        return await this.failedAttempt(d, Object.assign(new Error(error), { code: outcome.code }), 'exit' in outcome);
      }
      // What the handler sent goes out before the ack, with its deterministic ids.
      for (const send of outcome.sends) await this.cell.deps.sender.tell(parseAddress(send.to), send.body, { id: send.id, ...(send.hdr ? { headers: send.hdr } : {}), ...(send.ttl !== undefined ? { ttl: send.ttl } : {}) });
      const done = this.succeeded(d, outcome.reply, outcome.state ? { value: outcome.state.value as S } : undefined);
      if (done instanceof Promise) await done;
      return false;
    } catch (err) {
      // The incarnation ended under a pending state save: not the handler's failure (the message
      // stays unacked, for the next incarnation).
      if (!this.cell.isRunning() && isCairnError(err, KernelCodes.ABORTED)) throw err;
      return await this.failedAttempt(d, err);
    } finally {
      this.handling = false;
    }
  }

  /**
   * Runs an inline handler once for the head delivery: synchronously when the handler returns a
   * plain value and nothing needs saving, else as a promise. True (or a promise of true) when the
   * incarnation crashed.
   */
  private attemptInline(d: Delivery): boolean | Promise<boolean> {
    const ctx = this.cell.context(d, d.attempts + 1);
    let reply: unknown;
    const t0 = performance.now();
    try {
      reply = this.cell.def.receive(d.envelope.body as M, ctx);
    } catch (err) {
      return this.failedAttempt(d, err);
    } finally {
      this.cell.deps.handlers.record(this.cell.id, performance.now() - t0);
    }
    if (reply instanceof Promise) {
      return reply.then(
        (value) => {
          const done = this.succeeded(d, value, ctx.staged);
          return done instanceof Promise ? done.then(() => false) : false;
        },
        (err: unknown) => this.failedAttempt(d, err),
      );
    }
    const done = this.succeeded(d, reply, ctx.staged);
    return done instanceof Promise ? done.then(() => false) : false;
  }

  /** Commits a successful attempt: state (saved to KV first when persisted), reply, ack. */
  private succeeded(d: Delivery, reply: unknown, staged: { value: S } | undefined): void | Promise<void> {
    const { cell } = this;
    if (staged && cell.def.persist) {
      const { seq, origins } = cell.applied.after(d);
      const { clock, log, events } = cell.deps;
      const onRetry = (err: Error, retryInMs: number): void =>
        events.emit({ v: 1, type: 'retrying', actor: cell.id, code: KernelCodes.STATE_SAVE_FAILED, reason: `its state could not be saved: ${err.message}`, retryInMs, ts: clock.now() });
      return cell.deps.stateStore.saveUntilStored(cell.id, seq, staged.value, origins, { clock, log, signal: cell.incarnationSignal(), onRetry }).then(() => this.commit(d, reply, staged));
    }
    this.commit(d, reply, staged);
  }

  private commit(d: Delivery, reply: unknown, staged: { value: S } | undefined): void {
    const { cell } = this;
    if (staged) cell.state = staged.value;
    if (cell.def.persist) cell.applied.record(d);
    if (d.envelope.reply) this.reply(d.envelope, EnvelopeTypes.reply, reply);
    cell.stats.handled++;
    this.finish(d);
  }

  private async failedAttempt(d: Delivery, err: unknown, guestDied = false): Promise<boolean> {
    const { cell } = this;
    const { clock, log } = cell.deps;
    d.attempts++;
    cell.stats.failed++;
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    log.warn({ actor: cell.id, msgId: d.envelope.id, attempt: d.attempts, err: reason }, 'handler failed');
    const decision = decideAfterFailure({ attempts: d.attempts, retry: cell.def.retry, onError: cell.def.onError, guestDied, now: clock.now(), expiresAt: d.expiresAt });
    switch (decision.outcome.kind) {
      case 'retry':
        d.notBefore = decision.outcome.notBefore;
        break;
      case 'expire':
        this.dropIfExpired(d, reason);
        break;
      case 'dead-letter':
        await this.deadLetter(d, { code: KernelCodes.HANDLER_FAILED, reason });
        break;
    }
    if (decision.crash) cell.crash(errorExit(err));
    return decision.crash;
  }

  /** Dead-letters the head delivery (see storeDeadLetter); once stored, acks it and answers an ask with the error. */
  private async deadLetter(d: Delivery, why: { readonly code: string; readonly reason: string }): Promise<void> {
    if (!(await storeDeadLetter(this.cell, d, why))) return;
    if (d.envelope.reply) this.reply(d.envelope, EnvelopeTypes.error, { code: why.code, message: `failed ${d.attempts} times, moved to dead letters: ${why.reason}` });
    this.finish(d);
    // Cleared only once acked: a reply that throws leaves it to store again (de-duplicated), not to rerun the handler.
    d.deadLetter = undefined;
  }

  /**
   * Drops the head delivery when its ttl has passed (the stream has deleted it already): acked,
   * counted, an `expired` event, and an error reply for an ask that still waits.
   */
  private dropIfExpired(d: Delivery, lastError?: string): boolean {
    const { cell } = this;
    const now = cell.deps.clock.now();
    if (d.expiresAt === undefined || now < d.expiresAt) return false;
    const reason = `its ttl ended ${now - d.expiresAt} ms before it could be handled${lastError === undefined ? '' : ` (last attempt failed: ${lastError})`}`;
    cell.stats.expired++;
    cell.deps.events.emit({ v: 1, type: 'expired', actor: cell.id, reason, ts: now });
    if (d.envelope.reply) this.reply(d.envelope, EnvelopeTypes.error, { code: KernelCodes.MESSAGE_EXPIRED, message: `message ${d.envelope.id} to ${cell.id} expired: ${reason}` });
    this.finish(d);
    return true;
  }

  private finish(d: Delivery): void {
    this.queue.shift();
    if (d.origin) this.cell.deps.recent.add(dedupKey(d.envelope));
    d.msg.ack();
    this.cell.deps.released(d);
  }

  private reply(request: Envelope, type: string, body: unknown): void {
    if (!request.reply) return;
    this.cell.deps.publishReply(request.reply, encodeEnvelope(replyEnvelope(request, type, body, this.cell.from, this.cell.deps.clock.now())));
  }
}
