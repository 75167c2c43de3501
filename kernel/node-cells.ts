import { CairnError, KernelCodes, assertName } from '../protocols/index.ts';
import type { LogsReply, PsReply } from '../protocols/index.ts';
import { ActorCell } from './actor-cell.ts';
import type { CellDeps, CellParent } from './actor-cell.ts';
import type { ActorConfig } from './actor-context.ts';
import type { ActorDefinition } from './actor-definition.ts';
import type { HostChoice } from './host-choice.ts';
import type { MailboxDispatcher } from './mailbox-dispatcher.ts';
import type { Delivery, DeliveryOwner } from './delivery.ts';
import type { Message } from './message.ts';
import type { NodeLaunchers } from './node-launchers.ts';
import type { RuntimeSpec } from './runtime-spec.ts';

/** The cells of the actors a node hosts, by id: created for supervisors, adopted by the dispatcher, listed for `cairn ps`. */
export class NodeCells {
  private readonly cells = new Map<string, ActorCell<Message, unknown>>();

  constructor(
    private readonly site: string,
    private readonly node: string,
    private readonly launchers: NodeLaunchers,
  ) {}

  /** Creates the cell of a new actor (not started: its supervisor starts it). */
  create<M extends Message, S>(deps: CellDeps, dispatchers: Iterable<MailboxDispatcher>, def: ActorDefinition<M, S>, id: string, parent: CellParent, runtime: RuntimeSpec, host?: HostChoice, config?: ActorConfig): ActorCell<M, S> {
    assertName(id, 'actor id');
    this.launchers.assertOffers(runtime.mode, id);
    if (this.cells.has(id)) {
      throw new CairnError(KernelCodes.ACTOR_ALREADY_RUNNING, `an actor with id "${id}" already runs on node ${this.node} (site ${this.site}); pick another id or stop it first`, { details: { id } });
    }
    const cell = new ActorCell<M, S>(id, def, parent, deps, runtime, host, config);
    this.cells.set(id, cell as unknown as ActorCell<Message, unknown>);
    // What waits for it: the site mailbox's messages, and those of each direct source.
    for (const dispatcher of dispatchers) dispatcher.adopt(id, cell);
    return cell;
  }

  /** Forgets a stopped actor; messages it had not handled wait as orphans (it may be spawned again). */
  remove(id: string, dispatcher: MailboxDispatcher): void {
    const cell = this.cells.get(id);
    if (!cell) return;
    this.cells.delete(id);
    // Each waits as an orphan of the dispatcher it came through.
    const byOwner = new Map<DeliveryOwner, Delivery[]>();
    for (const d of cell.takeQueue()) {
      const owner = d.owner ?? dispatcher;
      const list = byOwner.get(owner);
      if (list) list.push(d);
      else byOwner.set(owner, [d]);
    }
    for (const [owner, deliveries] of byOwner) owner.orphan(deliveries);
  }

  get(id: string): ActorCell<Message, unknown> | undefined {
    return this.cells.get(id);
  }

  values(): IterableIterator<ActorCell<Message, unknown>> {
    return this.cells.values();
  }

  clear(): void {
    this.cells.clear();
  }

  ps(): PsReply {
    return { v: 1, site: this.site, node: this.node, actors: [...this.cells.values()].map((c) => c.info()) };
  }

  /** What `cairn logs <actor>` shows: its guest's recent output, if it runs here. */
  async logs(actor: string | undefined): Promise<LogsReply> {
    const cell = actor ? this.cells.get(actor) : undefined;
    return { v: 1, actor: actor ?? '', found: cell !== undefined, lines: cell ? await cell.logs() : [] };
  }
}
