import { EnvelopeTypes, KernelCodes, backoffDelayMs, isCairnError } from '../protocols/index.ts';
import { performance } from 'node:perf_hooks';
import type { LoopCell } from './cell-deps.ts';
import type { Delivery } from './delivery.ts';
import { CellQueue } from './cell-queue.ts';
import { DeliveryEnds } from './delivery-ends.ts';
import { attemptInGuest } from './guest-attempt.ts';
import { errorExit } from './exit-reason.ts';
import { decideAfterFailure } from './failure-decision.ts';
import type { Message } from './message.ts';
import type { RemoteHost } from './remote-host.ts';

/**
 * An actor's queue of held deliveries and the loop that handles them one at a time, in stream
 * order. The handler's result decides everything: success commits the staged state (saved to KV
 * first when persisted), replies and acks; a failure goes through decideAfterFailure (retry with
 * backoff, dead letter, crash). The queue outlives incarnations: a restart resumes it.
 */
export class CellLoop<M extends Message, S> {
  private readonly queue: CellQueue;
  private readonly ends: DeliveryEnds<M, S>;
  private loop: Promise<void> | undefined;
  /** True while kick() handles messages synchronously (guards against re-entry). */
  private syncing = false;
  /** True while a guest handles the head message (a guest dying then is that attempt's failure). */
  handling = false;

  constructor(private readonly cell: LoopCell<M, S>) {
    this.queue = new CellQueue(cell.def.mailbox.capacity, () => cell.stats.overflowed++);
    this.ends = new DeliveryEnds(cell, () => this.queue.shift());
  }

  get length(): number {
    return this.queue.length;
  }

  /** The attempt in progress, if any (a stop waits for it). */
  get inFlight(): Promise<void> | undefined {
    return this.loop;
  }

  /**
   * Queues a delivery, unless the actor's mailbox.capacity is reached: the queue holds the message
   * being handled (its head) plus at most `capacity` waiting. False: refused, counted in
   * `overflowed`; the caller dead-letters it.
   */
  enqueue(delivery: Delivery): boolean {
    if (!this.queue.push(delivery)) return false;
    this.kick();
    return true;
  }

  /** Hands back the deliveries not handled yet (the actor is being removed). */
  take(): Delivery[] {
    return this.queue.takeAll();
  }

  /** Hands back the waiting deliveries (not the head, which may be in hand) that `pick` selects. */
  takeWaiting(pick: (d: Delivery) => boolean): Delivery[] {
    return this.queue.takeWaiting(pick);
  }

  held(): readonly Delivery[] {
    return this.queue.all();
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
        const d = this.queue.head!;
        if (d.notBefore > cell.deps.clock.now() || d.deadLetter) break;
        if (this.ends.skipIfDone(d)) continue;
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
    const d = this.queue.head;
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
      const d = this.queue.head!;
      const wait = d.notBefore - clock.now();
      if (wait > 0) {
        try {
          await clock.sleep(wait, cell.incarnationSignal());
        } catch {
          return;
        }
        if (!cell.isRunning()) return;
      }
      if (this.ends.skipIfDone(d)) continue;
      if (d.deadLetter) {
        await this.ends.deadLetter(d, d.deadLetter);
        continue;
      }
      const guest = cell.guest();
      const outcome = guest ? this.attemptRemote(guest, d) : this.attemptInline(d);
      const crashed = outcome instanceof Promise ? await outcome : outcome;
      if (crashed) return;
    }
  }

  /** Runs a guest's handler once for the head delivery. Resolves true when the incarnation crashed. */
  private async attemptRemote(guest: RemoteHost, d: Delivery): Promise<boolean> {
    this.handling = true;
    try {
      const attempt = await attemptInGuest<S>(guest, d, this.cell.deps.sender);
      if (!attempt.ok) return await this.failedAttempt(d, attempt.error, attempt.guestDied);
      const done = this.succeeded(d, attempt.reply, attempt.staged);
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
      const { seq, origins, mailbox } = cell.applied.after(d);
      const { clock, log, events } = cell.deps;
      const onRetry = (err: Error, retryInMs: number): void =>
        events.emit({ v: 1, type: 'retrying', actor: cell.id, code: KernelCodes.STATE_SAVE_FAILED, reason: `its state could not be saved: ${err.message}`, retryInMs, ts: clock.now() });
      return cell.deps.stateStore.saveUntilStored(cell.id, seq, staged.value, origins, { clock, log, signal: cell.incarnationSignal(), onRetry }, mailbox).then(() => this.commit(d, reply, staged));
    }
    this.commit(d, reply, staged);
  }

  private commit(d: Delivery, reply: unknown, staged: { value: S } | undefined): void {
    const { cell } = this;
    if (staged) cell.state = staged.value;
    if (cell.def.persist) cell.applied.record(d);
    cell.recent.add(d, reply);
    if (d.envelope.reply) this.ends.reply(d.envelope, EnvelopeTypes.reply, reply);
    cell.stats.handled++;
    this.ends.finish(d);
  }

  private async failedAttempt(d: Delivery, err: unknown, guestDied = false): Promise<boolean> {
    const { cell } = this;
    const { clock, log } = cell.deps;
    d.attempts++;
    cell.stats.failed++;
    const reason = failureReason(err);
    log.warn({ actor: cell.id, msgId: d.envelope.id, attempt: d.attempts, err: reason }, 'handler failed');
    const decision = decideAfterFailure({ attempts: d.attempts, retry: cell.def.retry, onError: cell.def.onError, guestDied, now: clock.now(), expiresAt: d.expiresAt });
    switch (decision.outcome.kind) {
      case 'retry':
        d.notBefore = decision.outcome.notBefore;
        break;
      case 'expire':
        this.ends.dropIfExpired(d, reason);
        break;
      case 'dead-letter':
        await this.ends.deadLetter(d, { code: KernelCodes.HANDLER_FAILED, reason });
        break;
    }
    if (decision.crash) cell.crash(errorExit(err));
    return decision.crash;
  }
}

/** A failed handler's error as the reason its sender and the dead letters read: `Name [CODE]: message` (the code when it carries one). Pure. */
export function failureReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return `${err.name}${typeof code === 'string' && code !== '' ? ` [${code}]` : ''}: ${err.message}`;
}
