import type { Logger } from 'pino';
import { nuid } from '@nats-io/transport-node';
import { ENVELOPE_VERSION, EnvelopeTypes, KernelCodes, encodeEnvelope, formatAddress, parseAddress } from '../protocols/index.ts';
import type { ActorStatus, ActorInfo, Envelope } from '../protocols/index.ts';
import { ActorRef } from './actor-ref.ts';
import { HandlerContext } from './handler-context.ts';
import type { ContextOwner } from './handler-context.ts';
import { retryDelayMs } from './actor-definition.ts';
import type { ActorDefinition } from './actor-definition.ts';
import type { ActorConfig } from './actor-context.ts';
import type { Clock } from './clock.ts';
import type { DeadLetters } from './dead-letters.ts';
import type { Delivery } from './delivery.ts';
import { errorExit } from './exit-reason.ts';
import type { ExitReason } from './exit-reason.ts';
import type { Message } from './message.ts';
import type { NatsSender } from './nats-sender.ts';
import type { NodeEvents } from './node-events.ts';
import type { Spawner } from './spawner.ts';
import type { StateStore } from './state-store.ts';
import { RemoteHost } from './remote-host.ts';
import type { HostChoice } from './host-choice.ts';
import type { GuestLauncher, GuestUsage } from './guest-channel.ts';
import { INLINE } from './runtime-spec.ts';
import type { RuntimeSpec } from './runtime-spec.ts';
import { nextRetryDelayMs } from './retry-delay.ts';

/** Who hears about an incarnation ending: its supervisor. */
export interface CellParent {
  readonly name: string;
  childExited(id: string, reason: ExitReason): void;
}

export interface CellDeps {
  readonly site: string;
  readonly node: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly sender: NatsSender;
  readonly stateStore: StateStore;
  readonly deadLetters: DeadLetters;
  readonly events: NodeEvents;
  readonly spawner: Spawner;
  publishReply(subject: string, data: Uint8Array): void;
  /** Called when a held delivery is finished (acked or dead-lettered). */
  released(delivery: Delivery): void;
  /** Starts guests for a non-inline runtime mode, on this node or (`host`) on another node of the site. */
  launcherFor(mode: RuntimeSpec['mode'], host?: string): GuestLauncher;
}

export type StopOutcome = 'stopped' | 'killed';

/**
 * One actor on this node: its queue of held deliveries (which outlives incarnations), its state,
 * and the loop that handles one message at a time, in stream order. The handler's result decides
 * everything: success commits the staged state (saved to KV first when persisted), replies, and
 * acks; a throw retries with backoff, dead-letters after the last attempt, and, with
 * `onError: 'restart'`, crashes the incarnation so its supervisor can restart it.
 */
/** No configuration: what a spawn without `config` gets. */
const EMPTY_CONFIG: ActorConfig = Object.freeze({});

export class ActorCell<M extends Message = Message, S = unknown> {
  status: ActorStatus = 'starting';
  restarts = 0;
  handled = 0;
  failed = 0;
  /** Redeliveries skipped because their state change was already stored (effectively-once at work). */
  skipped = 0;
  /** Messages dropped unhandled because their ttl had passed. */
  expired = 0;
  startedAt = 0;

  readonly address;
  private readonly queue: Delivery[] = [];
  private state!: S;
  private appliedSeq = 0;
  /** Per origin outbox stream, the last sequence applied (persisted actors; see Delivery.origin). */
  private appliedOrigins: Record<string, number> = {};
  /** Aborted when the incarnation ends; made only when something asks for the signal (most actors never do: ~0.5 KiB each). */
  private incarnationAbort: AbortController | undefined;
  private incarnationEnded: Error | undefined;
  private loop: Promise<void> | undefined;
  private readonly selfRef: ActorRef<M>;
  /** The guest running this incarnation's handler (worker, process, container modes). */
  private host: RemoteHost | undefined;
  private handling = false;
  /** True while kick() handles messages synchronously (guards against re-entry). */
  private syncing = false;
  private ownerView: ContextOwner<M, S> | undefined;
  /** Last resource sample of the guest (process and container modes), refreshed by the node. */
  private usage: GuestUsage | undefined;
  /** Where the current incarnation runs: this node with `runtime`, or another node (see HostChoice). */
  private placement: { readonly node: string; readonly runtime: RuntimeSpec };

  constructor(
    readonly id: string,
    readonly def: ActorDefinition<M, S>,
    readonly parent: CellParent,
    private readonly deps: CellDeps,
    readonly runtime: RuntimeSpec = INLINE,
    private readonly chooseHost?: HostChoice,
    /** ctx.config of every incarnation, in every mode. */
    readonly config: ActorConfig = EMPTY_CONFIG,
  ) {
    this.placement = { node: deps.node, runtime };
    this.address = { site: deps.site, actor: id };
    this.selfRef = new ActorRef<M>(this.address, deps.sender);
  }

  /** What handler contexts see of this cell (one object per cell, shared by all its contexts). */
  private get owner(): ContextOwner<M, S> {
    if (!this.ownerView) {
      const cell = this;
      this.ownerView = {
        id: this.id,
        config: this.config,
        site: this.deps.site,
        node: this.deps.node,
        ref: this.selfRef,
        from: formatAddress(this.address),
        log: this.deps.log,
        get signal() {
          return cell.incarnationSignal;
        },
        sender: this.deps.sender,
        spawner: this.deps.spawner,
        committedState: () => this.state,
      };
    }
    return this.ownerView;
  }

  get ref(): ActorRef<M> {
    return this.selfRef;
  }

  get queued(): number {
    return this.queue.length;
  }

  private get incarnationSignal(): AbortSignal {
    if (!this.incarnationAbort) {
      this.incarnationAbort = new AbortController();
      if (this.incarnationEnded) this.incarnationAbort.abort(this.incarnationEnded);
    }
    return this.incarnationAbort.signal;
  }

  private endIncarnation(reason: Error): void {
    this.incarnationEnded = reason;
    this.incarnationAbort?.abort(reason);
  }

  /** Starts a new incarnation: loads state (persisted or initial), runs onStart, then handles the queue. Rejects if either fails. */
  async start(): Promise<void> {
    this.incarnationAbort = undefined;
    this.incarnationEnded = undefined;
    this.status = 'starting';
    const stored = this.def.persist ? await this.deps.stateStore.load<S>(this.id) : undefined;
    this.appliedSeq = stored ? stored.seq : 0;
    this.appliedOrigins = stored ? { ...stored.origins } : {};
    const placed = await this.chooseHost?.();
    this.placement = placed && placed.node !== this.deps.node ? placed : { node: this.deps.node, runtime: this.runtime };
    if (this.placement.runtime.mode === 'inline') {
      this.state = stored ? stored.state : this.def.makeInitialState();
      if (this.def.onStart) await this.def.onStart(this.context(undefined, 0));
    } else {
      await this.startGuest(stored ? { value: stored.state } : undefined);
    }
    this.status = 'running';
    this.startedAt = this.deps.clock.now();
    this.deps.events.emit({ v: 1, type: 'started', actor: this.id, restarts: this.restarts, ts: this.startedAt });
    this.kick();
  }

  private async startGuest(stored: { value: S } | undefined): Promise<void> {
    const info = { site: this.deps.site, node: this.deps.node, actor: this.id };
    const { node, runtime } = this.placement;
    const channel = await this.deps.launcherFor(runtime.mode, node === this.deps.node ? undefined : node)(runtime, info, this.incarnationSignal);
    const sender = this.deps.sender.as({ from: formatAddress(this.address) });
    const host = new RemoteHost(channel, sender, this.deps.log, this.id);
    this.host = host;
    try {
      const initial = await host.start(this.deps.site, this.placement.node, stored, this.config);
      this.state = (stored ?? initial)?.value as S;
    } catch (err) {
      await host.kill();
      this.host = undefined;
      throw err;
    }
    // A guest that dies while idle is a crash too (a handler that kills it is reported by handle()).
    void host.exited.then((exit) => {
      if (this.host !== host || this.handling || this.status !== 'running') return;
      this.crash({ type: 'error', error: `guest ${channel.describe} ${exit.reason}`, code: exit.code });
    });
  }

  /** Adds a delivery in stream order; duplicates of a held sequence (server redeliveries) are ignored by the dispatcher. */
  enqueue(delivery: Delivery): void {
    this.queue.push(delivery);
    this.kick();
  }

  /** Hands back the deliveries not handled yet (the actor is being removed). */
  takeQueue(): Delivery[] {
    return this.queue.splice(0, this.queue.length);
  }

  /** Iterates every held delivery (for keep-alives). */
  held(): readonly Delivery[] {
    return this.queue;
  }

  /**
   * Stops the incarnation: no further message starts, the one in progress may finish within
   * `timeoutMs` (`'infinity'` waits for it), then the incarnation is aborted. Held deliveries stay.
   */
  async stop(timeoutMs: number | 'infinity'): Promise<StopOutcome> {
    if (this.status === 'stopped') return 'stopped';
    this.status = 'stopping';
    let outcome: StopOutcome = 'stopped';
    const inFlight = this.loop;
    if (inFlight) {
      if (timeoutMs === 'infinity') await inFlight;
      else {
        const finished = await Promise.race([inFlight.then(() => true), this.deps.clock.sleep(timeoutMs).then(() => false)]);
        if (!finished) outcome = 'killed';
      }
    }
    this.endIncarnation(new Error(`actor ${this.id} stopped`));
    if (this.host) {
      const host = this.host;
      this.host = undefined;
      if (outcome === 'killed') await host.kill();
      else if ((await host.stop(typeof timeoutMs === 'number' ? Math.max(timeoutMs, 1_000) : timeoutMs)) === 'killed') outcome = 'killed';
    } else if (outcome === 'stopped' && this.def.onStop) {
      try {
        await this.def.onStop(this.context(undefined, 0));
      } catch (err) {
        this.deps.log.warn({ err, actor: this.id }, 'onStop threw');
      }
    }
    this.status = 'stopped';
    this.deps.events.emit({ v: 1, type: 'stopped', actor: this.id, reason: outcome === 'killed' ? 'killed after shutdown timeout' : 'shutdown', ts: this.deps.clock.now() });
    return outcome;
  }

  /** Starts a fresh incarnation after a crash (called by the supervisor). */
  async restart(): Promise<void> {
    this.restarts++;
    await this.start();
  }

  info(): ActorInfo {
    return {
      id: this.id,
      site: this.deps.site,
      node: this.placement.node,
      behaviour: this.def.name,
      mode: this.placement.runtime.mode,
      ...(this.host ? { guest: this.host.channel.describe } : {}),
      ...(this.usage ? { cpuPercent: this.usage.cpuPercent, memoryBytes: this.usage.memoryBytes } : {}),
      status: this.status,
      restarts: this.restarts,
      handled: this.handled,
      failed: this.failed,
      skipped: this.skipped,
      expired: this.expired,
      queued: this.queue.length,
      startedAt: this.startedAt,
      supervisor: this.parent.name,
    };
  }

  /** Samples the guest's CPU and memory (no-op for inline actors and guests that cannot tell). */
  async sampleUsage(): Promise<void> {
    const channel = this.host?.channel;
    if (!channel?.usage) return;
    this.usage = (await channel.usage().catch(() => undefined)) ?? this.usage;
  }

  /** Recent output of the guest (stderr, container logs); empty for inline actors. */
  async logs(): Promise<string[]> {
    return (await this.host?.channel.logs?.().catch(() => [])) ?? [];
  }

  private kick(): void {
    if (this.loop || this.syncing || this.status !== 'running') return;
    // Fast path: an inline actor whose handler returns a plain value is handled right here, with
    // no promise chain per message (most messages of a system with many actors meet an idle
    // actor). Anything that must wait (a promise, a persisted save, a backoff, a guest) continues
    // on the async loop below, in order.
    this.syncing = true;
    try {
      while (!this.host && this.status === 'running' && this.queue.length > 0) {
        const d = this.queue[0]!;
        if (d.notBefore > this.deps.clock.now()) break;
        if (this.dropIfExpired(d)) continue;
        if (this.def.persist && this.alreadyApplied(d)) {
          this.skipped++;
          this.finish(d);
          continue;
        }
        const outcome = this.attemptInline(d);
        if (outcome instanceof Promise) {
          this.loop = outcome.then((crashed) => (crashed ? undefined : this.drain())).finally(() => {
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
    if (this.status !== 'running' || this.queue.length === 0) return;
    this.loop = this.drain().finally(() => {
      this.loop = undefined;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    const { clock } = this.deps;
    while (this.status === 'running' && this.queue.length > 0) {
      const d = this.queue[0]!;
      const wait = d.notBefore - clock.now();
      if (wait > 0) {
        try {
          await clock.sleep(wait, this.incarnationSignal);
        } catch {
          return;
        }
        if (this.status !== 'running') return;
      }
      if (this.dropIfExpired(d)) continue;
      if (this.def.persist && this.alreadyApplied(d)) {
        // Applied before a crash, acked too late: effectively-once means not applying it again.
        this.skipped++;
        this.finish(d);
        continue;
      }
      const outcome = this.host ? this.attemptRemote(d) : this.attemptInline(d);
      const crashed = outcome instanceof Promise ? await outcome : outcome;
      if (crashed) return;
    }
  }

  /** Runs a guest's handler once for the head delivery. Resolves true when the incarnation crashed. */
  private async attemptRemote(d: Delivery): Promise<boolean> {
    const host = this.host!;
    this.handling = true;
    try {
      const outcome = await host.handle(d.envelope, d.attempts + 1);
      if (!outcome.ok) {
        // A dead guest is named, as when it dies idle: "guest pid 42 exited with code 3".
        const error = 'exit' in outcome ? `guest ${host.channel.describe} ${outcome.error}` : outcome.error;
        return await this.failedAttempt(d, Object.assign(new Error(error), { code: outcome.code }), 'exit' in outcome);
      }
      // What the handler sent goes out before the ack, with its deterministic ids.
      for (const send of outcome.sends) await this.deps.sender.tell(parseAddress(send.to), send.body, { id: send.id, ...(send.hdr ? { headers: send.hdr } : {}), ...(send.ttl !== undefined ? { ttl: send.ttl } : {}) });
      const done = this.succeeded(d, outcome.reply, outcome.state ? { value: outcome.state.value as S } : undefined);
      if (done instanceof Promise) await done;
      return false;
    } catch (err) {
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
    const ctx = this.context(d, d.attempts + 1);
    let reply: unknown;
    try {
      reply = this.def.receive(d.envelope.body as M, ctx);
    } catch (err) {
      return this.failedAttempt(d, err);
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
    if (staged && this.def.persist) {
      const origins = d.origin ? { ...this.appliedOrigins, [d.origin.stream]: d.origin.seq } : this.appliedOrigins;
      return this.saveUntilStored(d.origin ? this.appliedSeq : d.seq, staged.value, origins).then(() => this.commit(d, reply, staged));
    }
    this.commit(d, reply, staged);
  }

  /**
   * Whether the persisted state already includes this delivery: a redelivery after a crash (same
   * mailbox sequence), or a message of another site re-sourced after a server restart (same origin
   * sequence, new mailbox sequence).
   */
  private alreadyApplied(d: Delivery): boolean {
    if (d.origin) return d.origin.seq <= (this.appliedOrigins[d.origin.stream] ?? 0);
    return d.seq <= this.appliedSeq;
  }

  private commit(d: Delivery, reply: unknown, staged: { value: S } | undefined): void {
    if (staged) this.state = staged.value;
    if (this.def.persist) {
      if (d.origin) this.appliedOrigins[d.origin.stream] = d.origin.seq;
      else this.appliedSeq = d.seq;
    }
    if (d.envelope.reply) this.reply(d.envelope, EnvelopeTypes.reply, reply);
    this.handled++;
    this.finish(d);
  }

  private async failedAttempt(d: Delivery, err: unknown, guestDied = false): Promise<boolean> {
    const { clock, log } = this.deps;
    d.attempts++;
    this.failed++;
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    log.warn({ actor: this.id, msgId: d.envelope.id, attempt: d.attempts, err: reason }, 'handler failed');
    if (d.attempts >= this.def.retry.maxAttempts && this.dropIfExpired(d, reason)) {
      // Its ttl passed during the retries: dropped as the sender asked, not dead-lettered.
    } else if (d.attempts >= this.def.retry.maxAttempts) {
      await this.deps.deadLetters.put(d.msg, this.id, { code: KernelCodes.HANDLER_FAILED, reason, attempts: d.attempts });
      this.deps.events.emit({ v: 1, type: 'dead-lettered', actor: this.id, code: KernelCodes.HANDLER_FAILED, reason, ts: clock.now() });
      if (d.envelope.reply) this.reply(d.envelope, EnvelopeTypes.error, { code: KernelCodes.HANDLER_FAILED, message: `failed ${d.attempts} times, moved to dead letters: ${reason}` });
      this.finish(d);
    } else {
      d.notBefore = clock.now() + retryDelayMs(d.attempts, this.def.retry);
    }
    // A dead guest cannot resume: that is always a crash.
    if (this.def.onError === 'restart' || guestDied) {
      this.crash(errorExit(err));
      return true;
    }
    return false;
  }

  /**
   * Drops the head delivery when its ttl has passed (the stream has deleted it already): acked,
   * counted, an `expired` event, and an error reply for an ask that still waits.
   */
  private dropIfExpired(d: Delivery, lastError?: string): boolean {
    const now = this.deps.clock.now();
    if (d.expiresAt === undefined || now < d.expiresAt) return false;
    const reason = `its ttl ended ${now - d.expiresAt} ms before it could be handled${lastError === undefined ? '' : ` (last attempt failed: ${lastError})`}`;
    this.expired++;
    this.deps.events.emit({ v: 1, type: 'expired', actor: this.id, reason, ts: now });
    if (d.envelope.reply) this.reply(d.envelope, EnvelopeTypes.error, { code: KernelCodes.MESSAGE_EXPIRED, message: `message ${d.envelope.id} to ${this.id} expired: ${reason}` });
    this.finish(d);
    return true;
  }

  private crash(reason: ExitReason & { type: 'error' }): void {
    if (this.status !== 'running') return;
    this.status = 'restarting';
    this.endIncarnation(new Error(`actor ${this.id} crashed: ${reason.error}`));
    if (this.host) {
      // The incarnation is over: its guest goes with it; a restart starts a fresh one.
      void this.host.kill();
      this.host = undefined;
    }
    this.deps.events.emit({ v: 1, type: 'crashed', actor: this.id, code: reason.code ?? KernelCodes.HANDLER_FAILED, reason: reason.error, ts: this.deps.clock.now() });
    this.parent.childExited(this.id, reason);
  }

  private finish(d: Delivery): void {
    this.queue.shift();
    d.msg.ack();
    this.deps.released(d);
  }

  private async saveUntilStored(seq: number, state: S, origins: Readonly<Record<string, number>>): Promise<void> {
    // The message is acked only after its state is stored; if KV is briefly unavailable we wait
    // (the delivery is kept alive) rather than dead-letter a message that did nothing wrong.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.stateStore.save(this.id, seq, state, origins);
        return;
      } catch (err) {
        this.deps.log.warn({ actor: this.id, err: (err as Error).message, attempt }, 'saving state failed; retrying');
        await this.deps.clock.sleep(nextRetryDelayMs(attempt + 1, { minMs: 50, maxMs: 5_000 }));
      }
    }
  }

  private reply(request: Envelope, type: string, body: unknown): void {
    if (!request.reply) return;
    const env: Envelope = {
      v: ENVELOPE_VERSION,
      id: nuid.next(),
      type,
      from: formatAddress(this.address),
      to: request.from ?? request.reply,
      ...(request.cid ? { cid: request.cid } : {}),
      ts: this.deps.clock.now(),
      body,
    };
    this.deps.publishReply(request.reply, encodeEnvelope(env));
  }

  private context(d: Delivery | undefined, attempt: number): HandlerContext<M, S> {
    return new HandlerContext<M, S>(this.owner, d?.envelope, attempt);
  }

}
