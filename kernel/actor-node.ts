import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { Buckets, CairnError, ControlVerbs, Consumers, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_NODE_TIMEOUT_MS, KernelCodes, Streams, Subjects, assertName, decodeValue, encodeValue } from '../protocols/index.ts';
import type { NodeRecord, PsReply, TreeNode } from '../protocols/index.ts';
import { ActorCell } from './actor-cell.ts';
import type { CellParent } from './actor-cell.ts';
import type { ActorDefinition } from './actor-definition.ts';
import type { ActorRef } from './actor-ref.ts';
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { DeadLetters } from './dead-letters.ts';
import { MailboxDispatcher } from './mailbox-dispatcher.ts';
import { DEFAULT_MAILBOX_LIMITS, ensureMailboxInfrastructure, ensureStream, isNotFound, mailboxStreamConfig } from './mailbox-infrastructure.ts';
import { PeerSources, peersToSource, plainSourcePositions } from './peer-sources.ts';
import type { PeerSourceState } from './peer-sources.ts';
import type { SourceReport } from './stalled-sources.ts';
import { SiteLease } from './lease/index.ts';
import type { LeaseLoss } from './lease/index.ts';
import type { MailboxLimits, PeerSite } from './mailbox-infrastructure.ts';
import type { Message } from './message.ts';
import type { ActorConfig } from './actor-context.ts';
import type { NatsSender } from './nats-sender.ts';
import { openSiteConnection } from './site-connection.ts';
import { NodeEvents } from './node-events.ts';
import type { ActorEventListener } from './node-events.ts';
import { SiteSender } from './site-sender.ts';
import type { Spawner } from './spawner.ts';
import { StateStore } from './state-store.ts';
import { machineResources, nodeRegistryStreamConfig } from './node-registry.ts';
import type { GuestLauncher } from './guest-channel.ts';
import { INLINE } from './runtime-spec.ts';
import type { HostChoice } from './host-choice.ts';
import { NodeDirectory } from './node-directory.ts';
import { NodeHostService, remoteNodeLauncher } from './node-host/index.ts';
import type { RuntimeMode, RuntimeSpec } from './runtime-spec.ts';

export interface NodeOptions {
  /** NATS server URL(s). @default "nats://127.0.0.1:4222" */
  readonly servers?: string | string[];
  /** An existing connection to use instead of `servers`; the node will not close it. */
  readonly connection?: NatsConnection;
  /** The site this node belongs to. @default "local" */
  readonly site?: string;
  /**
   * This node's id, unique on its site and stable across restarts (orphaned guests and the node
   * registry are found by it). @default the host name, sanitised
   */
  readonly node?: string;
  /** Labels the node registers with (placement selects on them). */
  readonly labels?: Readonly<Record<string, string>>;
  /** JetStream domain of the site's server, when the connection goes through another domain. */
  readonly domain?: string;
  readonly mailbox?: Partial<MailboxLimits>;
  /**
   * Sites whose actors send to this site's actors: their outboxes are sourced into this site's
   * mailbox stream. An edge lists the cloud (and edges it hears from directly); the cloud lists
   * its edges. Sending to any site needs nothing: it goes to this site's outbox.
   */
  readonly peers?: readonly PeerSite[];
  /** How long a message for an actor that is not running is held before dead-lettering. @default 10000 */
  readonly orphanTimeoutMs?: number;
  /** Node heartbeat period in the node registry. @default 1000 */
  readonly heartbeatMs?: number;
  /**
   * A site runs one leader node (it consumes the mailbox and runs the supervisors); other nodes of
   * the site wait as standbys and one takes over when the leader's lease is not renewed for this
   * long. @default 5000 (the node liveness timeout)
   */
  readonly leaseTtlMs?: number;
  /** Gives up waiting as a standby: `start` rejects with CAIRN_ABORTED. Ignored once the node leads. */
  readonly signal?: AbortSignal;
  /** Called when `start` finds another node leading the site and waits as its standby. */
  readonly onStandby?: (leader: string) => void;
  /** Called when this node, as leader, lost the site lease (it must stop: a standby may run its actors). */
  readonly onLeaseLost?: (loss: LeaseLoss) => void;
  /**
   * A source of a peer's outbox that delivered nothing, not even a heartbeat, for this long while
   * the peer answers is restarted (see PeerSources.watch). @default 10000
   */
  readonly sourceStallMs?: number;
  /** How often guests' CPU and memory are sampled for `cairn ps` (container stats take ~1 s each). @default 5000 */
  readonly usageSampleMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * One Cairn runtime process on a site: its NATS connection, the site's mailbox stream and shared
 * consumer, the cells of the actors it hosts, and its control endpoints. Supervision is layered on
 * top (supervisor-trees/): the node creates cells; supervisors start, restart and stop them.
 */
export class ActorNode {
  readonly site: string;
  readonly id: string;
  readonly log: Logger;
  readonly limits: MailboxLimits;
  readonly sender: NatsSender;
  readonly events: NodeEvents;
  private readonly cells = new Map<string, ActorCell<Message, unknown>>();
  private readonly launchers = new Map<RuntimeMode, GuestLauncher>();
  private readonly abort = new AbortController();
  private readonly messenger: SiteSender;
  private readonly deadLetters: DeadLetters;
  private dispatcher!: MailboxDispatcher;
  private stateStore!: StateStore;
  private nodesKv!: KV;
  private heartbeat: NodeJS.Timeout | undefined;
  private spawner: Spawner | undefined;
  private treeProvider: () => TreeNode[] = () => [];
  private state: 'created' | 'standby' | 'running' | 'stopping' | 'stopped' = 'created';
  private readonly startedAt: number;
  /** This run of the node, told apart from earlier runs with the same id in the lease. */
  readonly incarnation = randomUUID();
  private lease: SiteLease | undefined;
  private hostService: NodeHostService | undefined;
  private directory_: NodeDirectory | undefined;
  private readonly remoteLaunchers = new Map<string, GuestLauncher>();
  private peerSources: PeerSources | undefined;
  /** The peers whose outboxes the mailbox stream sources now (their source consumers exist). */
  private sourced: PeerSite[] = [];
  /** Updates of the mailbox stream's sources, one at a time, after the first setup. */
  private sourceUpdates: Promise<void> = Promise.resolve();

  private constructor(
    readonly nc: NatsConnection,
    private readonly ownsConnection: boolean,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    private readonly opts: NodeOptions,
    readonly clock: Clock,
  ) {
    this.site = opts.site ?? 'local';
    this.id = opts.node ?? defaultNodeId();
    assertName(this.site, 'site name');
    assertName(this.id, 'node id');
    this.log = opts.logger ?? pino({ level: process.env.CAIRN_LOG_LEVEL ?? 'warn' });
    this.limits = { ...DEFAULT_MAILBOX_LIMITS, ...opts.mailbox };
    this.events = new NodeEvents(nc, this.site, this.id);
    this.deadLetters = new DeadLetters(js, this.site, () => clock.now());
    this.messenger = new SiteSender(nc, this.site, `${this.site}/~${this.id}`, clock);
    this.sender = this.messenger.sender;
    this.startedAt = clock.now();
  }

  /** Connects to NATS and checks JetStream; does not consume yet (see `start`). */
  static async connect(opts: NodeOptions = {}): Promise<ActorNode> {
    const { nc, ownsConnection, js, jsm } = await openSiteConnection({
      ...(opts.servers === undefined ? {} : { servers: opts.servers }),
      ...(opts.connection === undefined ? {} : { connection: opts.connection }),
      ...(opts.domain === undefined ? {} : { domain: opts.domain }),
      name: `cairn-node-${opts.site ?? 'local'}`,
    });
    return new ActorNode(nc, ownsConnection, js, jsm, opts, opts.clock ?? systemClock);
  }

  /**
   * Registers the node (heartbeat, control endpoints), waits until it holds the site lease (at once
   * when no other live node leads the site; see `NodeOptions.leaseTtlMs`), then creates the site's
   * streams, consumer and buckets if needed and starts consuming.
   */
  async start(spawner: Spawner, treeProvider?: () => TreeNode[]): Promise<void> {
    if (this.state !== 'created') throw new CairnError(KernelCodes.SYSTEM_NOT_RUNNING, `node ${this.id} was already started`);
    this.spawner = spawner;
    if (treeProvider) this.treeProvider = treeProvider;
    const kvm = new Kvm(this.js);
    const heartbeatMs = this.opts.heartbeatMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.nodesKv = await kvm.create(Buckets.nodes(this.site), { history: 1 });
    this.state = 'standby';
    // Standbys host guests the leader places on them (the leader hosts none of its own this way).
    // Served before the node registers, so that placement never picks a node that cannot host yet.
    this.hostService = new NodeHostService({ nc: this.nc, site: this.site, node: this.id, launcherFor: (mode) => (mode === 'inline' ? undefined : this.launchers.get(mode)), log: this.log });
    this.hostService.start(this.abort.signal);
    this.serveControl();
    await this.nc.flush();
    await this.beat(heartbeatMs);
    this.heartbeat = setInterval(() => void this.beat(heartbeatMs).catch((err) => this.log.warn({ err }, 'heartbeat failed')), heartbeatMs);
    this.heartbeat.unref();
    this.directory_ = await NodeDirectory.open(this.nodesKv, this.abort.signal, this.log);
    await this.lead(await kvm.create(Buckets.lease(this.site), { history: 1 }), heartbeatMs);
    // Renew from now on, through the setup below too: a setup slower than the ttl must not let a
    // standby take the lease meanwhile. A loss before this node runs fails the start instead.
    let lostBeforeRunning: LeaseLoss | undefined;
    void this.lease!.hold(this.abort.signal).then((loss) => {
      if (!loss || this.abort.signal.aborted) return;
      if (this.state !== 'running') {
        lostBeforeRunning = loss;
        return;
      }
      this.log.error({ why: loss.why }, 'lost the site lease; this node stops its actors');
      this.opts.onLeaseLost?.(loss);
    });
    // Guests this node ran for the leader it replaces would die of silence within seconds: at once.
    for (const leader of new Set(this.hostService.guests().map((g) => g.leader))) if (leader !== this.id) await this.hostService.killFromLeader(leader);
    let setUp!: () => void;
    this.sourceUpdates = new Promise<void>((resolve) => (setUp = resolve));
    this.sourced = await this.startPeerSources();
    await ensureMailboxInfrastructure(this.jsm, this.site, this.limits, this.sourced);
    setUp();
    this.stateStore = new StateStore(await kvm.create(Buckets.state(this.site), { history: 1 }));
    if ((this.opts.peers ?? []).length > 0) await ensureStream(this.jsm, nodeRegistryStreamConfig(this.site, this.opts.peers ?? []));
    this.sampleUsageForever(this.opts.usageSampleMs ?? 5_000);
    const consumer = await this.js.consumers.get(Streams.mailbox(this.site), Consumers.mailbox(this.site));
    this.dispatcher = new MailboxDispatcher(
      consumer,
      (actor) => this.runningCell(actor),
      () => this.cells.values(),
      this.deadLetters,
      this.events,
      this.clock,
      this.log,
      { batch: Math.min(this.limits.maxInFlight, 512), orphanTimeoutMs: this.opts.orphanTimeoutMs ?? 10_000, ackWaitMs: this.limits.ackWaitMs },
      async () => {
        // Only while this node still leads: a leader back from a partition must not take the
        // consumer from the node that took over (its lease loop stops this node meanwhile).
        if (!(await this.lease!.stillMine())) throw new CairnError(KernelCodes.LEASE_LOST, `node ${this.id} no longer holds the lease of site ${this.site}; not recreating the mailbox consumer`);
        await ensureMailboxInfrastructure(this.jsm, this.site, this.limits, this.sourced);
        return this.js.consumers.get(Streams.mailbox(this.site), Consumers.mailbox(this.site));
      },
    );
    await this.dispatcher.start(this.abort.signal);
    this.peerSources?.watch(this.abort.signal, {
      sourced: () => this.sourced,
      reports: async () => ((await this.jsm.streams.info(Streams.mailbox(this.site))).sources ?? []) as SourceReport[],
      restart: (peer) => this.restartSource(peer),
      ...(this.opts.sourceStallMs === undefined ? {} : { stalledAfterMs: this.opts.sourceStallMs }),
    });
    const lost = lostBeforeRunning as LeaseLoss | undefined;
    if (lost) throw new CairnError(KernelCodes.LEASE_LOST, `node ${this.id} lost the lease of site ${this.site} while it was taking over: ${lost.why}`);
    this.state = 'running';
    await this.beat(heartbeatMs);
  }

  /**
   * Makes sure each peer's outbox has this site's durable source consumer (see PeerSources) and
   * returns the peers to source now; unreachable peers are retried in the background and their
   * sources added to the mailbox stream when they succeed.
   */
  private async startPeerSources(): Promise<PeerSite[]> {
    const peers = this.opts.peers ?? [];
    if (peers.length === 0) return [];
    const info = await this.jsm.streams.info(Streams.mailbox(this.site)).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    // A mailbox of an older Cairn sources through plain sources: new consumers start after what they copied.
    const sourcedUpTo = plainSourcePositions(peers, info?.sources, info?.config.sources, this.site);
    this.peerSources = new PeerSources({ nc: this.nc, site: this.site, peers, limits: this.limits, clock: this.clock, log: this.log, sourcedUpTo });
    const ready = await this.peerSources.start(this.abort.signal, (peer) => this.addSource(peer));
    return peersToSource(peers, ready, info?.config.sources, this.site);
  }

  private addSource(peer: PeerSite): Promise<void> {
    this.sourceUpdates = this.sourceUpdates.then(async () => {
      if (this.abort.signal.aborted || this.sourced.some((p) => p.site === peer.site)) return;
      const peers = this.opts.peers ?? [];
      this.sourced = peers.filter((p) => p.site === peer.site || this.sourced.some((s) => s.site === p.site));
      await ensureStream(this.jsm, mailboxStreamConfig(this.site, this.limits, this.sourced));
    });
    return this.sourceUpdates;
  }

  /** Takes a peer's source off the mailbox stream and puts it back, so the server sets it up now. */
  private restartSource(peer: PeerSite): Promise<void> {
    this.sourceUpdates = this.sourceUpdates.then(async () => {
      const without = this.sourced.filter((p) => p.site !== peer.site);
      await ensureStream(this.jsm, mailboxStreamConfig(this.site, this.limits, without));
      await ensureStream(this.jsm, mailboxStreamConfig(this.site, this.limits, this.sourced));
    });
    return this.sourceUpdates;
  }

  /** Each peer site's sourcing state (empty until this node leads, or without peers). */
  peerSourceStates(): ReadonlyMap<string, PeerSourceState> {
    return this.peerSources?.state() ?? new Map();
  }

  /** Resolves once this node leads its site (see SiteLease); rejects when the node is stopped meanwhile. */
  private async lead(kv: KV, renewMs: number): Promise<void> {
    this.lease = new SiteLease({ kv, me: { node: this.id, incarnation: this.incarnation }, ttlMs: this.opts.leaseTtlMs ?? DEFAULT_NODE_TIMEOUT_MS, renewMs, clock: this.clock, log: this.log, isClosed: () => this.nc.isClosed() });
    const giveUp = (): void => this.abort.abort();
    this.opts.signal?.addEventListener('abort', giveUp, { once: true });
    if (this.opts.signal?.aborted) giveUp();
    try {
      await this.lease.acquire(this.abort.signal, (holder, expiresInMs) => {
        this.log.info({ leader: holder.node, expiresInMs }, 'another node leads this site; waiting as its standby');
        this.opts.onStandby?.(holder.node);
      });
    } catch (cause) {
      if (!this.abort.signal.aborted) throw cause;
      throw new CairnError(KernelCodes.ABORTED, `node ${this.id} stopped while waiting as standby of site ${this.site}`, { cause });
    } finally {
      this.opts.signal?.removeEventListener('abort', giveUp);
    }
  }

  /** `leader` once this node holds the site lease and consumes; `standby` while it waits to. */
  get role(): 'leader' | 'standby' {
    return this.state === 'running' ? 'leader' : 'standby';
  }

  /** Makes a runtime mode (worker, process, container) available to this node's actors. */
  registerRuntime(mode: Exclude<RuntimeMode, 'inline'>, launcher: GuestLauncher): void {
    this.launchers.set(mode, launcher);
  }

  hasRuntime(mode: RuntimeMode): boolean {
    return mode === 'inline' || this.launchers.has(mode);
  }

  /** The nodes of this site as the registry says now (placement reads it). */
  get directory(): NodeDirectory {
    if (!this.directory_) throw new CairnError(KernelCodes.SYSTEM_NOT_RUNNING, `node ${this.id} is ${this.state}; await start() first`);
    return this.directory_;
  }

  /**
   * Creates the cell of a new actor (not started: its supervisor starts it). With `host`, each
   * incarnation asks where to run: on another node of the site it runs as a guest of that node.
   */
  createCell<M extends Message, S>(def: ActorDefinition<M, S>, id: string, parent: CellParent, runtime: RuntimeSpec = INLINE, host?: HostChoice, config?: ActorConfig): ActorCell<M, S> {
    this.assertRunning();
    assertName(id, 'actor id');
    if (!this.hasRuntime(runtime.mode)) {
      throw new CairnError(KernelCodes.RUNTIME_UNAVAILABLE, `actor "${id}" wants runtime mode "${runtime.mode}" but node ${this.id} has no launcher for it; registered: inline${[...this.launchers.keys()].map((m) => `, ${m}`).join('')}`, { details: { id, mode: runtime.mode } });
    }
    if (this.cells.has(id)) {
      throw new CairnError(KernelCodes.ACTOR_ALREADY_RUNNING, `an actor with id "${id}" already runs on node ${this.id} (site ${this.site}); pick another id or stop it first`, { details: { id } });
    }
    const cell = new ActorCell<M, S>(id, def, parent, {
      site: this.site,
      node: this.id,
      clock: this.clock,
      log: this.log,
      sender: this.sender,
      stateStore: this.stateStore,
      deadLetters: this.deadLetters,
      events: this.events,
      spawner: this.spawner!,
      publishReply: (subject, data) => this.nc.publish(subject, data),
      released: (d) => this.dispatcher.released(d),
      launcherFor: (mode, hostNode) => {
        if (hostNode !== undefined) return this.remoteLauncher(hostNode);
        const launcher = this.launchers.get(mode);
        if (!launcher) throw new CairnError(KernelCodes.RUNTIME_UNAVAILABLE, `no launcher for runtime mode "${mode}" on node ${this.id}`);
        return launcher;
      },
    }, runtime, host, config);
    this.cells.set(id, cell as unknown as ActorCell<Message, unknown>);
    this.dispatcher.adopt(id, cell);
    return cell;
  }

  /** Forgets a stopped actor; messages it had not handled wait as orphans (it may be spawned again). */
  removeCell(id: string): void {
    const cell = this.cells.get(id);
    if (!cell) return;
    this.cells.delete(id);
    this.dispatcher.orphan(cell.takeQueue());
  }

  cell(id: string): ActorCell<Message, unknown> | undefined {
    return this.cells.get(id);
  }

  /** A ref to any actor by id, on this site unless `site` is given. */
  ref<M extends Message = Message>(id: string, site?: string): ActorRef<M> {
    return this.messenger.ref<M>(id, site);
  }

  onEvent(listener: ActorEventListener): () => void {
    return this.events.on(listener);
  }

  ps(): PsReply {
    return { v: 1, site: this.site, node: this.id, actors: [...this.cells.values()].map((c) => c.info()) };
  }

  /**
   * Stops consuming and releases held messages back to the server (nak), so that the next node
   * run gets them at once. Actors must have been stopped by their supervisors first.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    const wasRunning = this.state === 'running';
    const wasRegistered = wasRunning || this.state === 'standby';
    this.state = 'stopping';
    this.abort.abort();
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (wasRunning) {
      await this.dispatcher.stop();
      const held = [...this.cells.values()].flatMap((c) => c.takeQueue());
      this.dispatcher.releaseAll(held);
    }
    // Held messages are back on the server (or none were taken: a start that failed after taking
    // the lease): a standby may take over now rather than after the ttl.
    await this.lease?.release();
    await this.hostService?.stop();
    if (wasRegistered) await this.nodesKv.delete(this.id).catch(() => undefined);
    this.messenger.close();
    this.cells.clear();
    if (this.ownsConnection) await this.nc.drain().catch(() => undefined);
    else await this.nc.flush().catch(() => undefined);
    this.state = 'stopped';
  }

  /** Starts guests on another node of this site (it runs a NodeHostService); one launcher per node. */
  private remoteLauncher(host: string): GuestLauncher {
    let launcher = this.remoteLaunchers.get(host);
    if (!launcher) {
      launcher = remoteNodeLauncher({ nc: this.nc, site: this.site, leader: this.id, host, isHostAlive: () => this.directory.isAlive(host, this.clock.now()), log: this.log, clock: this.clock });
      this.remoteLaunchers.set(host, launcher);
    }
    return launcher;
  }

  private runningCell(actor: string): ActorCell<Message, unknown> | undefined {
    return this.cells.get(actor);
  }

  private assertRunning(): void {
    if (this.state !== 'running') throw new CairnError(KernelCodes.SYSTEM_NOT_RUNNING, `node ${this.id} is ${this.state}; await start() first and do not use it after shutdown`);
  }

  private async beat(heartbeatMs: number): Promise<void> {
    const record: NodeRecord = {
      v: 1,
      id: this.id,
      site: this.site,
      labels: { site: this.site, arch: process.arch, os: process.platform, ...this.opts.labels },
      pid: process.pid,
      startedAt: this.startedAt,
      lastSeen: this.clock.now(),
      heartbeatMs,
      role: this.role,
      resources: machineResources(),
      guests: this.guestUsage(),
    };
    await this.nodesKv.put(this.id, encodeValue(record));
  }

  /** One sampler loop for all guests, so a slow `docker stats` never blocks anything else. */
  private sampleUsageForever(everyMs: number): void {
    const signal = this.abort.signal;
    void (async () => {
      while (!signal.aborted) {
        await this.clock.sleep(everyMs, signal).catch(() => undefined);
        for (const cell of [...this.cells.values()]) {
          if (signal.aborted) return;
          await cell.sampleUsage();
        }
      }
    })();
  }

  private guestUsage(): Record<string, { cpuPercent: number; memoryBytes: number }> {
    const out: Record<string, { cpuPercent: number; memoryBytes: number }> = {};
    for (const cell of this.cells.values()) {
      const { cpuPercent, memoryBytes } = cell.info();
      if (cpuPercent !== undefined && memoryBytes !== undefined) out[cell.id] = { cpuPercent, memoryBytes };
    }
    return out;
  }

  private serveControl(): void {
    const serve = (verb: string, answer: (body: Uint8Array) => unknown): void => {
      this.nc.subscribe(Subjects.control(this.site, this.id, verb), {
        callback: (err, msg) => {
          if (err) return;
          void Promise.resolve(answer(msg.data)).then((reply) => msg.respond(encodeValue(reply)));
        },
      });
    };
    serve(ControlVerbs.logs, async (body) => {
      const { actor } = (body.length > 0 ? decodeValue(body) : {}) as { actor?: string };
      const cell = actor ? this.cells.get(actor) : undefined;
      return { v: 1, actor: actor ?? '', found: cell !== undefined, lines: cell ? await cell.logs() : [] };
    });
    serve(ControlVerbs.ps, () => this.ps());
    serve(ControlVerbs.tree, () => ({ v: 1, site: this.site, node: this.id, roots: this.treeProvider() }));
  }
}

function defaultNodeId(): string {
  return os.hostname().replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, 'n').slice(0, 128);
}
