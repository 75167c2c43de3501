import type { Logger } from 'pino';
import type { ActorDefinition } from './actor-definition.ts';
import type { AppliedPositions } from './applied-positions.ts';
import type { RecentlyHandled } from './recently-handled.ts';
import type { Clock } from './clock.ts';
import type { DeadLetters } from './dead-letters.ts';
import type { Delivery } from './delivery.ts';
import type { ExitReason } from './exit-reason.ts';
import type { GuestLauncher } from './guest-channel.ts';
import type { HandlerTimer } from './loop-watchdog.ts';
import type { RecentDeliveries } from './recent-deliveries.ts';
import type { AckBatcher } from './ack-batcher.ts';
import type { HandlerContext } from './handler-context.ts';
import type { Message } from './message.ts';
import type { NatsSender } from './nats-sender.ts';
import type { NodeEvents } from './node-events.ts';
import type { RemoteHost } from './remote-host.ts';
import type { RuntimeSpec } from './runtime-spec.ts';
import type { Spawner } from './spawner.ts';
import type { SiteNats } from './actor-context.ts';
import type { StateStore } from './state-store.ts';

/** Who hears about an incarnation ending: its supervisor. */
export interface CellParent {
  readonly name: string;
  childExited(id: string, reason: ExitReason): void;
}

/** What a cell gets from its node. */
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
  /** The node's connection and JetStream, for inline handlers (ctx.nats). */
  readonly nats: SiteNats;
  publishReply(subject: string, data: Uint8Array): void;
  /** Called when a held delivery is finished (acked or dead-lettered). */
  released(delivery: Delivery): void;
  /** Acks finished deliveries, a moment later and together (see AckBatcher). */
  readonly acks: AckBatcher;
  /** Starts guests for a non-inline runtime mode, on this node or (`host`) on another node of the site. */
  launcherFor(mode: RuntimeSpec['mode'], host?: string): GuestLauncher;
  /** Where inline handlers' synchronous runs are timed (the event-loop watchdog names the slowest). */
  readonly handlers: HandlerTimer;
  /** Messages from other sites handled lately: a re-sourced copy is not handled again. */
  readonly recent: RecentDeliveries;
}

/** Counts of what an actor did with its messages (shown by `cairn ps`). */
export interface CellStats {
  handled: number;
  failed: number;
  /** Redeliveries skipped because their state change was already stored (effectively-once at work). */
  skipped: number;
  /** Messages dropped unhandled because their ttl had passed. */
  expired: number;
  /** Messages refused because the actor's mailbox.capacity was reached (they go to the dead letters). */
  overflowed: number;
}

/** What the loop needs of its cell: the current incarnation and how to end it. */
export interface LoopCell<M extends Message, S> {
  readonly id: string;
  /** `<site>/<actor>`: replies come from it. */
  readonly from: string;
  readonly def: ActorDefinition<M, S>;
  readonly deps: CellDeps;
  readonly applied: AppliedPositions;
  readonly recent: RecentlyHandled;
  readonly stats: CellStats;
  /** The incarnation's committed state. */
  state: S;
  isRunning(): boolean;
  /** The guest running this incarnation's handler, if not inline. */
  guest(): RemoteHost | undefined;
  incarnationSignal(): AbortSignal;
  context(d: Delivery, attempt: number): HandlerContext<M, S>;
  crash(reason: ExitReason & { type: 'error' }): void;
}

