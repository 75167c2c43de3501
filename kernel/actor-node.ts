import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Buckets, CairnError, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_NODE_TIMEOUT_MS, KernelCodes, assertName } from '../protocols/index.ts';
import type { PsReply, TreeNode } from '../protocols/index.ts';
import type { ActorCell, CellDeps, CellParent } from './actor-cell.ts';
import { NodeCells } from './node-cells.ts';
import type { ActorDefinition } from './actor-definition.ts';
import type { ActorRef } from './actor-ref.ts';
import type { Clock } from './clock.ts';
import { DeadLetters } from './dead-letters.ts';
import type { MailboxDispatcher } from './mailbox-dispatcher.ts';
import { DirectSources } from './direct-source.ts';
import type { DirectSource, DirectSourceOptions } from './direct-source.ts';
import { DEFAULT_MAILBOX_LIMITS } from './mailbox-infrastructure.ts';
import type { PeerSourceState } from './outbox-forwarder.ts';
import type { MailboxSources } from './mailbox-sources.ts';
import { guestUsage } from './guest-usage.ts';
import { defaultNodeId } from './node-options.ts';
import { connectNode } from './node-connect.ts';
import type { NodeOptions } from './node-options.ts';
import { SiteLease, holdLease, waitToLead } from './lease/index.ts';
import type { MailboxLimits } from './mailbox-infrastructure.ts';
import type { Message } from './message.ts';
import type { ActorConfig } from './actor-context.ts';
import type { NatsSender } from './nats-sender.ts';
import { NodeEvents } from './node-events.ts';
import type { ActorEventListener } from './node-events.ts';
import { SiteSender } from './site-sender.ts';
import type { Spawner } from './spawner.ts';
import type { GuestLauncher } from './guest-channel.ts';
import { INLINE } from './runtime-spec.ts';
import type { HostChoice } from './host-choice.ts';
import type { NodeDirectory } from './node-directory.ts';
import { remoteNodeLauncher } from './node-host/index.ts';
import { SiteMembership } from './site-membership.ts';
import { NodeLaunchers } from './node-launchers.ts';
import { publishingOutput } from './guest-output.ts';
import { nodeLabels, nodeRecord } from './node-heartbeat.ts';
import { HandlerTimer } from './loop-watchdog.ts';
import { openLeaderServices } from './leader-services.ts';
import type { RuntimeMode, RuntimeSpec } from './runtime-spec.ts';

export type { NodeOptions } from './node-options.ts';

const defaultLogger = (): Logger => pino({ level: process.env.CAIRN_LOG_LEVEL ?? 'warn' });

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
  private readonly cells: NodeCells;
  private readonly launchers: NodeLaunchers;
  private readonly abort = new AbortController();
  private readonly messenger: SiteSender;
  private readonly deadLetters: DeadLetters;
  private dispatcher: MailboxDispatcher | undefined;
  private readonly direct = new DirectSources();
  private treeProvider: () => TreeNode[] = () => [];
  private state: 'created' | 'standby' | 'running' | 'stopping' | 'stopped' = 'created';
  private readonly startedAt: number;
  /** This run of the node, told apart from earlier runs with the same id in the lease. */
  readonly incarnation = randomUUID();
  private lease: SiteLease | undefined;
  private member: SiteMembership | undefined;
  private cellDeps: CellDeps | undefined;
  private readonly handlers = new HandlerTimer();
  private sources: MailboxSources | undefined;

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
    this.log = opts.logger ?? defaultLogger();
    this.limits = { ...DEFAULT_MAILBOX_LIMITS, ...opts.mailbox };
    this.events = new NodeEvents(nc, this.site, this.id);
    this.deadLetters = new DeadLetters(js, this.site, () => clock.now());
    this.messenger = new SiteSender(nc, this.site, `${this.site}/~${this.id}`, clock);
    this.sender = this.messenger.sender;
    this.startedAt = clock.now();
    // Guests on another node of the site: through that node's NodeHostService, one launcher per node.
    this.launchers = new NodeLaunchers(this.id, (host) =>
      remoteNodeLauncher({ nc, site: this.site, leader: this.id, host, isHostAlive: () => this.directory.isAlive(host, clock.now()), log: this.log, clock }),
    );
    this.cells = new NodeCells(this.site, this.id, this.launchers);
  }

  /** Connects to NATS and checks JetStream; does not consume yet (see `start`). */
  static async connect(opts: NodeOptions = {}): Promise<ActorNode> {
    const { nc, ownsConnection, js, jsm, options, clock } = await connectNode(opts, defaultLogger);
    return new ActorNode(nc, ownsConnection, js, jsm, options, clock);
  }

  /**
   * Registers the node (heartbeat, control endpoints), waits until it holds the site lease (at once
   * when no other live node leads the site; see `NodeOptions.leaseTtlMs`), then creates the site's
   * streams, consumer and buckets if needed and starts consuming.
   */
  async start(spawner: Spawner, treeProvider?: () => TreeNode[]): Promise<void> {
    if (this.state !== 'created') throw new CairnError(KernelCodes.SYSTEM_NOT_RUNNING, `node ${this.id} was already started`);
    if (treeProvider) this.treeProvider = treeProvider;
    const kvm = new Kvm(this.js);
    const heartbeatMs = this.opts.heartbeatMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    const labels = nodeLabels(this.site, this.opts.labels);
    const member = new SiteMembership({
      ...{ nc: this.nc, nodesKv: await kvm.create(Buckets.nodes(this.site), { history: 1 }), site: this.site, node: this.id, heartbeatMs, log: this.log },
      record: () => nodeRecord({ id: this.id, site: this.site, labels, startedAt: this.startedAt, now: this.clock.now(), heartbeatMs, role: this.role, guests: guestUsage(this.cells.values()) }),
      // Standbys host guests the leader places on them (the leader hosts none of its own this way).
      launcherFor: (mode) => this.launchers.localFor(mode),
      control: { ps: () => this.ps(), tree: () => ({ v: 1, site: this.site, node: this.id, roots: this.treeProvider() }), logs: (actor) => this.cells.logs(actor) },
    });
    this.member = member;
    this.state = 'standby';
    await member.join(this.abort.signal);
    this.lease = new SiteLease({ kv: await kvm.create(Buckets.lease(this.site), { history: 1 }), me: { node: this.id, incarnation: this.incarnation }, ttlMs: this.opts.leaseTtlMs ?? DEFAULT_NODE_TIMEOUT_MS, renewMs: heartbeatMs, clock: this.clock, log: this.log, isClosed: () => this.nc.isClosed() });
    await waitToLead(this.lease, { node: this.id, site: this.site, lifetime: this.abort, giveUp: this.opts.signal, log: this.log, onStandby: this.opts.onStandby });
    const holding = holdLease(this.lease, this.abort.signal, { isRunning: () => this.state === 'running', log: this.log, onLost: this.opts.onLeaseLost });
    // Guests this node ran for the leader it replaces would die of silence within seconds: at once.
    for (const leader of new Set(member.hostService.guests().map((g) => g.leader))) if (leader !== this.id) await member.hostService.killFromLeader(leader);
    const leader = await openLeaderServices(
      {
        ...{ nc: this.nc, js: this.js, jsm: this.jsm, kvm, site: this.site, node: this.id, peers: this.opts.peers ?? [], limits: this.limits, clock: this.clock, log: this.log },
        ...{ events: this.events, deadLetters: this.deadLetters, sender: this.sender, spawner, cells: this.cells, launchers: this.launchers, handlers: this.handlers },
        ...{ orphanTimeoutMs: this.opts.orphanTimeoutMs, usageSampleMs: this.opts.usageSampleMs, stallThresholdMs: this.opts.stallThresholdMs },
        stillLeading: () => this.lease!.stillMine(),
      },
      this.abort.signal,
    );
    ({ dispatcher: this.dispatcher, sources: this.sources, cellDeps: this.cellDeps } = leader);
    const lost = holding.lostBeforeRunning();
    if (lost) throw new CairnError(KernelCodes.LEASE_LOST, `node ${this.id} lost the lease of site ${this.site} while it was taking over: ${lost.why}`);
    this.state = 'running';
    await member.beat();
  }

  /** Each peer site's forwarding state (empty until this node leads, or without peers). */
  peerSourceStates(): ReadonlyMap<string, PeerSourceState> {
    return this.sources?.state() ?? new Map();
  }

  /** `leader` once this node holds the site lease and consumes; `standby` while it waits to. */
  get role(): 'leader' | 'standby' {
    return this.state === 'running' ? 'leader' : 'standby';
  }

  /** Makes a runtime mode (worker, process, container) available to this node's actors. */
  registerRuntime(mode: Exclude<RuntimeMode, 'inline'>, launcher: GuestLauncher): void {
    this.launchers.register(mode, publishingOutput(launcher, this.nc, this.id));
  }

  hasRuntime(mode: RuntimeMode): boolean {
    return this.launchers.offers(mode);
  }

  /** The nodes of this site as the registry says now (placement reads it). */
  get directory(): NodeDirectory {
    const directory = this.member?.directory;
    if (!directory) throw new CairnError(KernelCodes.SYSTEM_NOT_RUNNING, `node ${this.id} is ${this.state}; await start() first`);
    return directory;
  }

  /**
   * Creates the cell of a new actor (not started: its supervisor starts it). With `host`, each
   * incarnation asks where to run: on another node of the site it runs as a guest of that node.
   */
  createCell<M extends Message, S>(def: ActorDefinition<M, S>, id: string, parent: CellParent, runtime: RuntimeSpec = INLINE, host?: HostChoice, config?: ActorConfig): ActorCell<M, S> {
    this.assertRunning();
    return this.cells.create(this.cellDeps!, [this.dispatcher!, ...this.direct.dispatchers()], def, id, parent, runtime, host, config);
  }

  /** Forgets a stopped actor; messages it had not handled wait as orphans (it may be spawned again). */
  removeCell(id: string): void {
    this.cells.remove(id, this.dispatcher!);
  }

  /**
   * Hands the messages of another stream's consumer to this node's actors as the site mailbox's
   * are (the leader's, until `stop` or the node stops): no copy into the mailbox. See direct-source.ts.
   */
  async deliverFrom(source: DirectSourceOptions): Promise<DirectSource> {
    this.assertRunning();
    const deps = { lookup: (actor: string) => this.cells.get(actor), cells: () => this.cells.values(), deadLetters: this.deadLetters, events: this.events, clock: this.clock, log: this.log };
    return this.direct.start(source, { ...deps, orphanTimeoutMs: this.opts.orphanTimeoutMs ?? 10_000, epochs: this.sources!.epochs, nc: this.nc, acks: this.cellDeps!.acks }, this.abort.signal);
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
    return this.cells.ps();
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
    // The leader's services were opened (also when the lease was lost before the node ran: its
    // consumer is stopped by the abort, but what it holds goes back and its sweeper ends here).
    if (this.dispatcher !== undefined) {
      await this.direct.stopAll();
      await this.dispatcher.stop();
      // What was handled is acked before the rest is handed back.
      this.cellDeps?.acks.flush();
      const held = [...this.cells.values()].flatMap((c) => c.takeQueue());
      this.dispatcher.releaseAll(held);
    }
    // Held messages are back on the server (or none were taken: a start that failed after taking
    // the lease): a standby may take over now rather than after the ttl.
    await this.lease?.release();
    if (wasRegistered) await this.member?.leave();
    else await this.member?.hostService.stop();
    this.messenger.close();
    this.cells.clear();
    if (this.ownsConnection) await this.nc.drain().catch(() => undefined);
    else await this.nc.flush().catch(() => undefined);
    this.state = 'stopped';
  }

  private assertRunning(): void {
    if (this.state !== 'running') throw new CairnError(KernelCodes.SYSTEM_NOT_RUNNING, `node ${this.id} is ${this.state}; await start() first and do not use it after shutdown`);
  }
}
