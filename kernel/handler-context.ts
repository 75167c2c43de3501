import type { Logger } from 'pino';
import type { Envelope } from '../protocols/index.ts';
import { ActorRef } from './actor-ref.ts';
import type { AskOptions, TellOptions } from './actor-ref.ts';
import type { ActorContext, SpawnOptions, ActorConfig, SiteNats } from './actor-context.ts';
import type { ActorDefinition } from './actor-definition.ts';
import type { Message, ReplyFor } from './message.ts';
import type { NatsSender } from './nats-sender.ts';
import type { Spawner } from './spawner.ts';

/** What a context needs from its actor's cell. */
export interface ContextOwner<M extends Message, S> {
  readonly id: string;
  readonly config: ActorConfig;
  readonly site: string;
  readonly node: string;
  readonly ref: ActorRef<M>;
  readonly from: string;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly sender: NatsSender;
  readonly spawner: Spawner;
  readonly nats: SiteNats;
  committedState(): S;
}

/**
 * The `ctx` of one handler call (or of onStart/onStop). One object with prototype methods: it is
 * made for every message, so it allocates nothing more until the handler sends something.
 */
export class HandlerContext<M extends Message, S> implements ActorContext<M, S> {
  /** The state the handler staged with setState; committed only if it returns without throwing. */
  staged: { value: S } | undefined;
  private out: NatsSender | undefined;
  private sent = 0;

  constructor(
    private readonly owner: ContextOwner<M, S>,
    readonly envelope: Envelope | undefined,
    readonly attempt: number,
  ) {}

  get self(): ActorRef<M> {
    return this.owner.ref;
  }
  get config(): ActorConfig {
    return this.owner.config;
  }

  get id(): string {
    return this.owner.id;
  }
  get site(): string {
    return this.owner.site;
  }
  get node(): string {
    return this.owner.node;
  }
  get signal(): AbortSignal {
    return this.owner.signal;
  }
  get log(): Logger {
    return this.owner.log;
  }
  get nats(): SiteNats {
    return this.owner.nats;
  }
  get state(): S {
    return this.staged ? this.staged.value : this.owner.committedState();
  }

  setState(next: S): void {
    this.staged = { value: next };
  }

  tell<T extends Message>(to: ActorRef<T>, msg: T, opts?: TellOptions): Promise<void> {
    return this.sender().tell(to.address, msg, opts);
  }

  ask<T extends Message, Q extends T>(to: ActorRef<T>, msg: Q, opts?: AskOptions): Promise<ReplyFor<T, Q['type']>> {
    return this.sender().ask(to.address, msg, opts) as Promise<ReplyFor<T, Q['type']>>;
  }

  ref<T extends Message = Message>(id: string, site?: string): ActorRef<T> {
    return new ActorRef<T>({ site: site ?? this.owner.site, actor: id }, this.owner.sender);
  }

  spawn<T extends Message, S2>(def: ActorDefinition<T, S2>, opts: SpawnOptions): Promise<ActorRef<T>> {
    return this.owner.spawner.spawn(def, opts);
  }

  stop(target: ActorRef | string): Promise<void> {
    return this.owner.spawner.stop(typeof target === 'string' ? target : target.id);
  }

  private sender(): NatsSender {
    if (!this.out) {
      const env = this.envelope;
      // Sends made while handling message X get ids X/1, X/2...: a retried handler re-sends the
      // same ids and JetStream drops the duplicates.
      this.out = this.owner.sender.as({ from: this.owner.from, ...(env ? { nextId: () => `${env.id}/${++this.sent}` } : {}) });
    }
    return this.out;
  }
}
