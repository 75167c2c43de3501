import type { ActorDefinition, ActorEventListener, ActorRef, CellParent, ExitReason, Message, ModuleDefinition, NodeOptions, SpawnOptions, Spawner } from '../kernel/index.ts';
import { moduleRegistry } from './system-modules.ts';
import { ActorNode } from '../kernel/index.ts';
import { defaultRuntimes, installRuntimes } from './runtimes.ts';
import type { Runtime } from './runtimes.ts';
import { CairnError, KernelCodes } from '../protocols/index.ts';
import type { PsReply, TreeNode } from '../protocols/index.ts';
import type { RestartBackoff, RestartType } from './core/index.ts';
import { Supervisor } from './supervisor.ts';
import { isChildStart, resolveSupervisorSpec } from './supervisor-spec.ts';
import type { ChildInput, ChildStart, SupervisorSpec } from './supervisor-spec.ts';
import { orThrow, resolveChildSpec } from './core/index.ts';

export interface SystemOptions extends NodeOptions {
  /**
   * Flags of the root supervisor that every `spawn`ed actor and `supervise`d tree hangs under
   * (one_for_one, dynamic children). When it exceeds its intensity the whole system stops.
   * @default { intensity: 10, periodMs: 10000 }
   */
  readonly root?: { readonly intensity?: number; readonly periodMs?: number; readonly backoff?: Partial<RestartBackoff> };
  /**
   * The execution modes besides inline this system offers its actors. @default defaultRuntimes():
   * worker threads and processes. Containers are opt-in: `[...defaultRuntimes(), containerRuntime()]`.
   */
  readonly runtimes?: readonly Runtime[];
  /**
   * Modules this system knows besides Cairn's built-in ones (`cairn/timer`…): a manifest's
   * `module: acme/scaler` is found here by name before anything is imported (see docs/modules.md).
   * Names under `cairn/` are kept for the built-ins. @default none
   */
  readonly modules?: readonly ModuleDefinition[];
  /**
   * Where the default process runtime records its guests, so that a node restarted after a crash
   * kills the guests its previous run left behind. With `runtimes`, give it to `processRuntime()`
   * instead. @default os.tmpdir()/cairn-guests
   */
  readonly guestRegistryDir?: string;
}

/** A running supervisor subtree, as returned by `system.supervise`. */
export interface SupervisorHandle {
  readonly id: string;
  describe(): TreeNode;
  /** A typed ref to one of the tree's actors by id. */
  ref<M extends Message = Message>(id: string): ActorRef<M>;
}

/**
 * The SDK's entry point: a node plus a root supervisor. `spawn` adds a dynamic child to the root,
 * `supervise` starts a whole supervisor tree under it, `ref` addresses any actor by id.
 *
 * ```ts
 * const system = await createActorSystem({ servers: 'nats://127.0.0.1:4222' });
 * const counter = await system.spawn(Counter, { id: 'counter' });
 * await counter.tell({ type: 'inc', by: 2 });
 * const n = await counter.ask({ type: 'get' }, { timeout: 1000 }); // typed: number
 * await system.shutdown();
 * ```
 */
export class ActorSystem implements Spawner {
  private root!: Supervisor;
  private readonly stopped: Promise<ExitReason>;
  private resolveStopped!: (reason: ExitReason) => void;
  private shuttingDown: Promise<void> | undefined;
  private exitReason: ExitReason | undefined;

  /** The modules given to createActorSystem, by name (the built-in ones are not listed here). */
  readonly modules: ReadonlyMap<string, ModuleDefinition>;

  private constructor(
    readonly node: ActorNode,
    private readonly opts: SystemOptions,
  ) {
    this.modules = moduleRegistry(opts.modules ?? []);
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
  }

  static async create(opts: SystemOptions = {}): Promise<ActorSystem> {
    if (opts.runtimes !== undefined && opts.guestRegistryDir !== undefined) {
      throw new CairnError(KernelCodes.INVALID_OPTION, 'guestRegistryDir is for the default runtimes; with runtimes, give it to processRuntime({ registryDir })', { details: { guestRegistryDir: opts.guestRegistryDir } });
    }
    moduleRegistry(opts.modules ?? []); // checked before connecting
    let system: ActorSystem | undefined;
    const node = await ActorNode.connect({
      ...opts,
      // A leader that lost its lease stops everything: a standby may already run the same actors.
      onLeaseLost: (loss) => {
        opts.onLeaseLost?.(loss);
        if (system) {
          system.exitReason = { type: 'error', error: loss.why, code: KernelCodes.LEASE_LOST };
          void system.shutdown();
        }
      },
    });
    // Guests a crashed previous run of this node left behind are cleaned up before anything starts.
    try {
      await installRuntimes(node, opts.runtimes ?? defaultRuntimes(opts.guestRegistryDir === undefined ? {} : { registryDir: opts.guestRegistryDir }));
    } catch (err) {
      await node.stop();
      throw err;
    }
    system = new ActorSystem(node, opts);
    const rootSpec = resolveSupervisorSpec({
      id: 'root',
      strategy: 'one_for_one',
      intensity: opts.root?.intensity ?? 10,
      periodMs: opts.root?.periodMs ?? 10_000,
      ...(opts.root?.backoff ? { backoff: opts.root.backoff } : {}),
      children: [],
    });
    const top: CellParent = {
      name: 'system',
      childExited: (_id, reason) => {
        // The root gave up: nothing above it can restart anything on this node.
        system!.exitReason = reason;
        void system!.shutdown();
      },
    };
    const sys = system;
    sys.root = new Supervisor(node, rootSpec, top);
    try {
      // Waits as a standby while another node leads the site.
      await node.start(sys, () => [sys.root.describe()]);
      await sys.root.start();
    } catch (err) {
      await node.stop();
      throw err;
    }
    return sys;
  }

  get site(): string {
    return this.node.site;
  }

  /** Resolves when the system stops: `shutdown` (normal) or the root supervisor giving up (error). */
  get done(): Promise<ExitReason> {
    return this.stopped;
  }

  /** Spawns an actor as a dynamic child of the root supervisor; resolves once it has started. */
  async spawn<M extends Message, S>(def: ActorDefinition<M, S>, opts: SpawnOptions): Promise<ActorRef<M>> {
    const spec = orThrow(
      resolveChildSpec(
        { id: opts?.id, start: { actor: def, ...(opts?.runtime ? { runtime: opts.runtime } : {}), ...(opts?.config ? { config: opts.config } : {}) }, kind: 'worker', ...(opts?.restart ? { restart: opts.restart } : {}), ...(opts?.shutdownMs !== undefined ? { shutdownMs: opts.shutdownMs } : {}) },
        isChildStart,
        'spawn',
      ),
    );
    if (this.node.cell(spec.id) || this.root.find(spec.id)) {
      throw new CairnError(KernelCodes.ACTOR_ALREADY_RUNNING, `an actor or supervisor with id "${spec.id}" already runs on node ${this.node.id} (site ${this.site}); pick another id, stop it first, or use system.ref("${spec.id}")`, { details: { id: spec.id } });
    }
    await this.root.addChild(spec);
    return this.node.ref<M>(spec.id);
  }

  /**
   * Validates a whole supervisor tree (every problem reported at once), then starts it under the
   * root. `restart` is the tree's restart type as the root's child: `permanent` (default) restarts
   * a tree that gave up, and counts towards the root's intensity; `temporary` lets it end for good
   * (an application that keeps failing must not stop the node).
   */
  async supervise(spec: SupervisorSpec, opts: { readonly restart?: RestartType } = {}): Promise<SupervisorHandle> {
    const resolved = resolveSupervisorSpec(spec);
    const child = orThrow(resolveChildSpec({ id: resolved.id, start: { supervisor: resolved } satisfies ChildStart, kind: 'supervisor', ...(opts.restart ? { restart: opts.restart } : {}) }, isChildStart, 'supervise'));
    await this.root.addChild(child);
    return {
      id: resolved.id,
      describe: () => this.root.find(resolved.id)?.describe() ?? { kind: 'supervisor', id: resolved.id, strategy: resolved.flags.strategy, intensity: resolved.flags.intensity, periodMs: resolved.flags.periodMs, status: 'stopped', children: [] },
      ref: <M extends Message>(id: string) => this.node.ref<M>(id),
    };
  }

  /**
   * Adds a child to the running supervisor `supervisorId` (anywhere in the tree) and starts it: a
   * dynamic child, as OTP's start_child. Rejects if there is no such supervisor or the start fails.
   */
  async addChild(supervisorId: string, child: ChildInput): Promise<void> {
    const sup = this.root.supervisor(supervisorId);
    if (!sup) throw new CairnError(KernelCodes.ACTOR_NOT_FOUND, `no supervisor "${supervisorId}" runs on node ${this.node.id}; see \`cairn tree\``, { details: { id: supervisorId } });
    const start = 'actor' in child ? { actor: child.actor, ...(child.runtime ? { runtime: child.runtime } : {}), ...(child.host ? { host: child.host } : {}) } : undefined;
    if (!start) throw new CairnError(KernelCodes.INVALID_OPTION, `addChild takes an actor child; start a nested supervisor with supervise()`);
    const spec = orThrow(resolveChildSpec({ id: child.id, start, kind: 'worker', ...(child.restart ? { restart: child.restart } : {}), ...(child.shutdownMs !== undefined ? { shutdownMs: child.shutdownMs } : {}) }, isChildStart, 'addChild'));
    await sup.addChild(spec);
  }

  /** A ref to any actor by id (this site unless `site` is given). */
  ref<M extends Message = Message>(id: string, site?: string): ActorRef<M> {
    return this.node.ref<M>(id, site);
  }

  /** Stops an actor or subtree of this node wherever it sits in the tree, and forgets it. */
  async stop(id: string): Promise<void> {
    const owner = this.root.find(id);
    if (!owner) throw new CairnError(KernelCodes.ACTOR_NOT_FOUND, `no actor or supervisor "${id}" runs on node ${this.node.id}; see \`cairn ps\``, { details: { id } });
    await owner.removeChild(id);
  }

  onEvent(listener: ActorEventListener): () => void {
    return this.node.onEvent(listener);
  }

  ps(): PsReply {
    return this.node.ps();
  }

  tree(): TreeNode {
    return this.root.describe();
  }

  /** Stops every actor in reverse start order, releases unhandled messages to the server, disconnects. */
  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      await this.root.shutdown();
      await this.node.stop();
      this.resolveStopped(this.exitReason ?? { type: 'shutdown' });
    })();
    return this.shuttingDown;
  }
}

/** Connects, creates the site's streams if needed, and starts a node with an empty root supervisor. */
export function createActorSystem(opts: SystemOptions = {}): Promise<ActorSystem> {
  return ActorSystem.create(opts);
}
