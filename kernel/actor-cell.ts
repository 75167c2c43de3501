import { KernelCodes, formatAddress } from '../protocols/index.ts';
import type { ActorStatus, ActorInfo } from '../protocols/index.ts';
import { ActorRef } from './actor-ref.ts';
import { HandlerContext } from './handler-context.ts';
import type { ContextOwner } from './handler-context.ts';
import { behaviourFigures } from './actor-definition.ts';
import type { ActorDefinition } from './actor-definition.ts';
import type { ActorConfig } from './actor-context.ts';
import { AppliedPositions } from './applied-positions.ts';
import { RecentlyHandled } from './recently-handled.ts';
import type { CellDeps, CellParent, CellStats, LoopCell } from './cell-deps.ts';
import { CellLoop } from './cell-loop.ts';
import type { Delivery } from './delivery.ts';
import type { ExitReason } from './exit-reason.ts';
import type { Message } from './message.ts';
import type { RemoteHost } from './remote-host.ts';
import { launchGuest, startGuest } from './guest-start.ts';
import type { HostChoice } from './host-choice.ts';
import type { GuestUsage } from './guest-channel.ts';
import { INLINE } from './runtime-spec.ts';
import type { RuntimeSpec } from './runtime-spec.ts';

export type { CellDeps, CellParent } from './cell-deps.ts';
export type StopOutcome = 'stopped' | 'killed';

/** No configuration: what a spawn without `config` gets. */
const EMPTY_CONFIG: ActorConfig = Object.freeze({});

/**
 * One actor on this node, across its incarnations: where each runs (inline, or a guest on this or
 * another node), its state, and how an incarnation starts, stops and crashes. Its messages are
 * handled by its CellLoop, whose queue outlives incarnations.
 */
export class ActorCell<M extends Message = Message, S = unknown> implements LoopCell<M, S> {
  status: ActorStatus = 'starting';
  restarts = 0;
  startedAt = 0;
  readonly stats: CellStats = { handled: 0, failed: 0, skipped: 0, expired: 0, overflowed: 0 };
  readonly applied = new AppliedPositions();
  /** What this incarnation handled last (a redelivery after a connection cut is not handled again). */
  readonly recent = new RecentlyHandled();
  readonly address;
  readonly from: string;
  state!: S;
  private readonly loop: CellLoop<M, S>;
  /** Aborted when the incarnation ends; made only when something asks for the signal (most actors never do: ~0.5 KiB each). */
  private incarnationAbort: AbortController | undefined;
  private incarnationEnded: Error | undefined;
  private readonly selfRef: ActorRef<M>;
  /** The guest running this incarnation's handler (worker, process, container modes). */
  private host: RemoteHost | undefined;
  private ownerView: ContextOwner<M, S> | undefined;
  /** Last resource sample of the guest (process and container modes), refreshed by the node. */
  private usage: GuestUsage | undefined;
  /** Where the current incarnation runs: this node with `runtime`, or another node (see HostChoice). */
  private placement: { readonly node: string; readonly runtime: RuntimeSpec };

  constructor(
    readonly id: string,
    readonly def: ActorDefinition<M, S>,
    readonly parent: CellParent,
    readonly deps: CellDeps,
    readonly runtime: RuntimeSpec = INLINE,
    private readonly chooseHost?: HostChoice,
    /** ctx.config of every incarnation, in every mode. */
    readonly config: ActorConfig = EMPTY_CONFIG,
  ) {
    this.placement = { node: deps.node, runtime };
    this.address = { site: deps.site, actor: id };
    this.from = formatAddress(this.address);
    this.selfRef = new ActorRef<M>(this.address, deps.sender);
    this.loop = new CellLoop<M, S>(this);
  }

  get ref(): ActorRef<M> {
    return this.selfRef;
  }

  get queued(): number {
    return this.loop.length;
  }

  isRunning(): boolean {
    return this.status === 'running';
  }

  guest(): RemoteHost | undefined {
    return this.host;
  }

  incarnationSignal(): AbortSignal {
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
    this.applied.reset(stored);
    this.recent.clear();
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
    this.loop.kick();
  }

  private async startGuest(stored: { value: S } | undefined): Promise<void> {
    const host = await launchGuest(this.deps, this.placement, this.id, this.from, this.incarnationSignal());
    this.host = host;
    this.state = (await startGuest(host, this.deps.site, this.placement.node, stored, this.config).catch((err: unknown) => {
      this.host = undefined;
      throw err;
    })) as S;
    // A guest that dies while idle is a crash too (a handler that kills it is reported by the loop).
    void host.exited.then((exit) => {
      if (this.host !== host || this.loop.handling || this.status !== 'running') return;
      this.crash({ type: 'error', error: `guest ${host.channel.describe} ${exit.reason}`, code: exit.code });
    });
  }

  /** Queues a delivery in stream order; false when the actor's mailbox.capacity is reached (the caller dead-letters it). */
  enqueue(delivery: Delivery): boolean {
    return this.loop.enqueue(delivery);
  }

  /** Hands back the deliveries not handled yet (the actor is being removed). */
  takeQueue(): Delivery[] {
    return this.loop.take();
  }

  /** Hands back the waiting deliveries `pick` selects (a direct source stopping takes its own back). */
  takeWaiting(pick: (d: Delivery) => boolean): Delivery[] {
    return this.loop.takeWaiting(pick);
  }

  /** Iterates every held delivery (for keep-alives). */
  held(): readonly Delivery[] {
    return this.loop.held();
  }

  /**
   * Stops the incarnation: no further message starts, the one in progress may finish within
   * `timeoutMs` (`'infinity'` waits for it), then the incarnation is aborted. Held deliveries stay.
   */
  async stop(timeoutMs: number | 'infinity'): Promise<StopOutcome> {
    if (this.status === 'stopped') return 'stopped';
    this.status = 'stopping';
    let outcome: StopOutcome = 'stopped';
    const inFlight = this.loop.inFlight;
    if (inFlight) {
      if (timeoutMs === 'infinity') await inFlight;
      else if (!(await Promise.race([inFlight.then(() => true), this.deps.clock.sleep(timeoutMs).then(() => false)]))) outcome = 'killed';
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

  /** Ends the incarnation after a failure and tells the supervisor (it restarts or gives up). */
  crash(reason: ExitReason & { type: 'error' }): void {
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

  info(): ActorInfo {
    const { host, usage } = this;
    const figures = !host && this.status === 'running' ? behaviourFigures(this.def, { id: this.id, site: this.deps.site, state: this.state }) : undefined;
    return {
      ...(figures ? { figures } : {}),
      ...{ id: this.id, site: this.deps.site, node: this.placement.node, behaviour: this.def.name, mode: this.placement.runtime.mode },
      ...(host ? { guest: host.channel.describe } : {}),
      ...(usage ? { cpuPercent: usage.cpuPercent, memoryBytes: usage.memoryBytes } : {}),
      ...{ status: this.status, restarts: this.restarts, ...this.stats, queued: this.loop.length, startedAt: this.startedAt, supervisor: this.parent.name },
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

  context(d: Delivery | undefined, attempt: number): HandlerContext<M, S> {
    return new HandlerContext<M, S>(this.owner, d?.envelope, attempt);
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
        from: this.from,
        log: this.deps.log,
        get signal() {
          return cell.incarnationSignal();
        },
        sender: this.deps.sender,
        spawner: this.deps.spawner,
        nats: this.deps.nats,
        committedState: () => this.state,
      };
    }
    return this.ownerView;
  }
}
