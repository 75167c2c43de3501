import type { ActorAddress } from '../protocols/index.ts';
import { formatAddress } from '../protocols/index.ts';
import type { Message, ReplyFor } from './message.ts';

export interface TellOptions {
  /** Message id for de-duplication: the same id sent twice within the dedup window is handled once. @default a new unique id */
  readonly id?: string;
  /** String headers carried in the envelope. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Cancels the send (including a wait for mailbox space). */
  readonly signal?: AbortSignal;
  /** How long to wait for space when the mailbox is full, in ms. @default 30000 */
  readonly timeout?: number;
  /**
   * How long the message may wait to be handled, in ms: at least 1000, rounded up to whole seconds
   * (nats-server's per-message TTL). A message still waiting after it is dropped unhandled: each
   * stream it waits in (this site's outbox, then the target's mailbox) deletes it after its ttl,
   * and a node does not start handling it once the ttl since it was stored has passed (an
   * `expired` event, counted in `cairn ps --json`). @default none: it waits until it is handled
   */
  readonly ttl?: number;
}

export interface AskOptions extends Omit<TellOptions, 'timeout' | 'ttl'> {
  /** How long to wait for the reply, in ms. @default 5000 */
  readonly timeout?: number;
  /**
   * How long the request may wait to be handled, in ms (see TellOptions.ttl). @default the
   * timeout (at least 1000): a request nobody waits for any more is not handled later
   */
  readonly ttl?: number;
}

/** The sending side an ActorRef is bound to (the node, or an actor's context). */
export interface MessageSender {
  tell(to: ActorAddress, msg: Message, opts?: TellOptions): Promise<void>;
  ask(to: ActorAddress, msg: Message, opts?: AskOptions): Promise<unknown>;
  /** Several messages to one actor, stored in order; senders without it tell them one after the other. */
  tellAll?(to: ActorAddress, items: readonly TellItem[], opts?: TellAllOptions): Promise<void>;
}

/** One message of a `tellAll`: the message and its de-duplication id. */
export interface TellItem {
  readonly msg: Message;
  readonly id: string;
}

/** Options of a `tellAll`: as a tell's, without the per-message id. */
export type TellAllOptions = Omit<TellOptions, 'id'>;

/**
 * A typed handle to an actor, wherever it runs. Cheap to create; holds no server resources.
 * `tell` resolves once JetStream has stored the message; `ask` resolves with the reply.
 */
export class ActorRef<M extends Message = Message> {
  constructor(
    readonly address: ActorAddress,
    private readonly sender: MessageSender,
  ) {}

  get id(): string {
    return this.address.actor;
  }

  get site(): string {
    return this.address.site;
  }

  tell(msg: M, opts?: TellOptions): Promise<void> {
    return this.sender.tell(this.address, msg, opts);
  }

  /**
   * Stores several messages for this actor, in this order: on this actor's own site as one atomic
   * batch (all or none) when the batch can be, otherwise one after the other, each as a tell with
   * its id (so a repeat is stored once). Resolves once all are stored.
   */
  async tellAll(items: readonly { readonly msg: M; readonly id: string }[], opts?: TellAllOptions): Promise<void> {
    if (this.sender.tellAll) return this.sender.tellAll(this.address, items, opts);
    for (const item of items) await this.sender.tell(this.address, item.msg, { ...opts, id: item.id });
  }

  ask<T extends M>(msg: T, opts?: AskOptions): Promise<ReplyFor<M, T['type']>> {
    return this.sender.ask(this.address, msg, opts) as Promise<ReplyFor<M, T['type']>>;
  }

  /** The same actor, sending through another sender (used to give actors refs that carry their identity). */
  via(sender: MessageSender): ActorRef<M> {
    return new ActorRef<M>(this.address, sender);
  }

  toString(): string {
    return formatAddress(this.address);
  }
}
