import { match } from 'ts-pattern';
import type { ActorCell, ActorNode, CellParent, ExitReason, Message } from '../kernel/index.ts';
import { errorExit } from '../kernel/index.ts';
import type { ActorStatus, TreeNode } from '../protocols/index.ts';
import { SupervisorCodes } from '../protocols/index.ts';
import { addChild, createSupervisorState, orThrow, planChildExit, planShutdown, planStartAll, removeChild } from './core/index.ts';
import type { ChildSpec, SupervisorCommand, SupervisorState } from './core/index.ts';
import type { ChildStart, ResolvedSupervisorSpec } from './supervisor-spec.ts';

type Handle = { readonly kind: 'actor'; readonly cell: ActorCell<Message, unknown> } | { readonly kind: 'supervisor'; sup: Supervisor };

/**
 * The effectful half of a supervisor: it asks the pure planner (./core) what to do when a child
 * exits and performs the commands against real cells and nested supervisors. Exits are handled one
 * at a time, in arrival order, through a promise chain.
 */
export class Supervisor implements CellParent {
  status: ActorStatus = 'starting';
  private state!: SupervisorState;
  private readonly specs = new Map<string, ChildSpec<ChildStart>>();
  private readonly handles = new Map<string, Handle>();
  private chain: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();

  constructor(
    private readonly node: ActorNode,
    readonly spec: ResolvedSupervisorSpec,
    readonly parent: CellParent,
  ) {
    for (const child of spec.children) this.specs.set(child.id, child);
  }

  get name(): string {
    return this.spec.id;
  }

  /** Starts every child in order; if one fails, stops those started (reverse order) and rejects. */
  async start(): Promise<void> {
    this.state = createSupervisorState(this.spec.flags, this.spec.children, this.node.clock.now());
    try {
      for (const cmd of planStartAll(this.state)) if (cmd.type === 'start') for (const id of cmd.ids) await this.startChild(id);
    } catch (err) {
      await this.terminate();
      this.status = 'failed';
      throw err;
    }
    this.status = 'running';
  }

  /** Adds and starts a dynamic child (OTP start_child). Rejects if its start fails; nothing is left behind. */
  async addChild(spec: ChildSpec<ChildStart>): Promise<void> {
    await this.serially(async () => {
      const plan = orThrow(addChild(this.state, spec, this.node.clock.now(), { inPlace: true }));
      this.specs.set(spec.id, spec);
      this.state = plan.state;
      try {
        await this.startChild(spec.id);
      } catch (err) {
        this.state = removeChild(this.state, spec.id, { inPlace: true }).state;
        this.specs.delete(spec.id);
        this.forget(spec.id);
        throw err;
      }
    });
  }

  /** Stops a child and forgets it (OTP terminate_child + delete_child). */
  async removeChild(id: string): Promise<boolean> {
    if (!this.specs.has(id)) return false;
    await this.serially(async () => {
      await this.stopChild(id);
      this.state = removeChild(this.state, id, { inPlace: true }).state;
      this.specs.delete(id);
      this.forget(id);
    });
    return true;
  }

  /** Finds the supervisor that owns child `id` anywhere in this subtree. */
  find(id: string): Supervisor | undefined {
    if (this.specs.has(id)) return this;
    for (const h of this.handles.values()) {
      if (h.kind === 'supervisor') {
        const found = h.sup.find(id);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** The running supervisor `id` anywhere in this subtree (this one included). */
  supervisor(id: string): Supervisor | undefined {
    if (this.name === id) return this;
    for (const h of this.handles.values()) {
      if (h.kind === 'supervisor') {
        const found = h.sup.supervisor(id);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** CellParent: a child (cell or nested supervisor) ended on its own. */
  childExited(id: string, reason: ExitReason): void {
    void this.serially(() => this.onChildExit(id, reason)).catch((err) => this.node.log.error({ err, supervisor: this.name }, 'supervisor failed handling an exit'));
  }

  /**
   * Stops every child in reverse start order (each within its shutdown timeout) and releases
   * their cells: a restarted subtree is a new Supervisor that creates its cells afresh, and the
   * messages the old cells held wait for them in the node.
   */
  async shutdown(): Promise<void> {
    this.abort.abort();
    await this.serially(() => this.terminate());
    this.status = 'stopped';
  }

  describe(): TreeNode {
    return {
      kind: 'supervisor',
      id: this.name,
      strategy: this.spec.flags.strategy,
      intensity: this.spec.flags.intensity,
      periodMs: this.spec.flags.periodMs,
      status: this.status,
      children: this.state.order.flatMap((id): TreeNode[] => {
        const h = this.handles.get(id);
        const spec = this.specs.get(id);
        if (!spec) return [];
        if (h?.kind === 'supervisor') return [h.sup.describe()];
        return [{ kind: 'worker', id, restart: spec.restart, status: h?.cell.status ?? 'stopped', restarts: h?.cell.restarts ?? 0 }];
      }),
    };
  }

  private serially(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async onChildExit(id: string, reason: ExitReason): Promise<void> {
    if (this.status !== 'running') return;
    const plan = planChildExit(this.state, id, reason, this.node.clock.now());
    this.state = plan.state;
    for (const cmd of plan.commands) await this.execute(cmd);
  }

  private async execute(cmd: SupervisorCommand): Promise<void> {
    await match(cmd)
      .with({ type: 'stop' }, async ({ ids }) => {
        for (const id of ids) await this.stopChild(id);
      })
      .with({ type: 'remove' }, async ({ id }) => {
        this.specs.delete(id);
        this.forget(id);
      })
      .with({ type: 'start' }, async ({ ids, delayMs }) => {
        if (delayMs > 0) {
          try {
            await this.node.clock.sleep(delayMs, this.abort.signal);
          } catch {
            return; // shutting down
          }
        }
        for (const id of ids) {
          try {
            await this.startChild(id);
          } catch (err) {
            // A failed (re)start is one more exit of that child; the planner counts it.
            this.childExited(id, errorExit(err));
          }
        }
      })
      .with({ type: 'escalate' }, async ({ reason }) => {
        // This supervisor is finished: its parent restarts the subtree as a new Supervisor.
        await this.terminate();
        this.status = 'failed';
        this.node.events.emit({ v: 1, type: 'escalated', actor: this.name, reason: reason.error, ts: this.node.clock.now() });
        this.node.log.error({ supervisor: this.name, reason: reason.error }, 'supervisor gave up: restart intensity exceeded');
        this.parent.childExited(this.name, reason);
      })
      .exhaustive();
  }

  private async startChild(id: string): Promise<void> {
    const spec = this.specs.get(id);
    if (!spec) return;
    const existing = this.handles.get(id);
    if ('actor' in spec.start) {
      if (existing?.kind === 'actor') {
        await existing.cell.restart();
        return;
      }
      const cell = this.node.createCell(spec.start.actor, id, this, spec.start.runtime, spec.start.host, spec.start.config);
      this.handles.set(id, { kind: 'actor', cell });
      try {
        await cell.start();
      } catch (err) {
        cell.status = 'failed';
        throw err;
      }
      return;
    }
    // The parent knows the subtree by its child id; the nested supervisor reports exits under it.
    const sup = new Supervisor(this.node, { ...spec.start.supervisor, id }, this);
    this.handles.set(id, { kind: 'supervisor', sup });
    await sup.start();
  }

  private async stopChild(id: string): Promise<void> {
    const h = this.handles.get(id);
    const spec = this.specs.get(id);
    if (!h || !spec) return;
    if (h.kind === 'actor') {
      if (h.cell.status === 'stopped') return;
      const outcome = await h.cell.stop(spec.shutdownMs);
      if (outcome === 'killed') this.node.log.warn({ actor: id, code: SupervisorCodes.SHUTDOWN_TIMEOUT, shutdownMs: spec.shutdownMs }, 'actor did not stop in time and was killed');
    } else {
      await h.sup.shutdown();
    }
  }

  private async stopAll(): Promise<void> {
    for (const cmd of planShutdown(this.state)) if (cmd.type === 'stop') for (const id of cmd.ids) await this.stopChild(id);
    // Children that were never marked running (e.g. a failed start) may still hold a cell.
    for (const id of [...this.handles.keys()].reverse()) await this.stopChild(id);
  }

  /** Stops every child and releases their cells (their unhandled messages wait in the node). */
  private async terminate(): Promise<void> {
    await this.stopAll();
    for (const id of [...this.handles.keys()]) this.forget(id);
  }

  private forget(id: string): void {
    const h = this.handles.get(id);
    this.handles.delete(id);
    if (h?.kind === 'actor') this.node.removeCell(id);
  }
}
