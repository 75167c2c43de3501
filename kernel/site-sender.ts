import type { NatsConnection } from '@nats-io/transport-node';
import { assertName } from '../protocols/index.ts';
import { ActorRef } from './actor-ref.ts';
import type { Clock } from './clock.ts';
import type { Message } from './message.ts';
import { NatsSender } from './nats-sender.ts';
import { ReplyRouter } from './reply-router.ts';
import { StreamPublisher } from './stream-publisher.ts';

/**
 * The sending half of a site connection: one stream publisher (tells resolve once JetStream stored
 * them), one reply router (asks), and refs bound to them. A node sends through one; so does a
 * client that hosts nothing. Messages to another site go to this site's outbox.
 */
export class SiteSender {
  readonly sender: NatsSender;
  private readonly publisher: StreamPublisher;
  private readonly replies: ReplyRouter;

  constructor(
    nc: NatsConnection,
    readonly site: string,
    /** Who the messages are from, as `<site>/~<name>` (the envelope's `from`). */
    from: string,
    clock: Clock,
  ) {
    this.publisher = new StreamPublisher(nc);
    this.replies = new ReplyRouter(nc);
    this.sender = new NatsSender(nc, this.publisher, this.replies, { from }, clock, site);
  }

  /** A ref to actor `id` of `site` (default: this site); names are checked. */
  ref<M extends Message = Message>(id: string, site?: string): ActorRef<M> {
    const address = { site: site ?? this.site, actor: id };
    assertName(address.site, 'site name');
    assertName(address.actor, 'actor id');
    return new ActorRef<M>(address, this.sender);
  }

  /** Fails asks still waiting (CAIRN_SYSTEM_NOT_RUNNING) and publishes still unacked; stops listening. */
  close(): void {
    this.replies.close();
    this.publisher.close();
  }
}
