import type { JsMsg } from '@nats-io/jetstream';
import type { Envelope } from '../protocols/index.ts';

/** The dispatcher a delivery came through: what releases it once it is acked, and holds it when its actor goes. */
export interface DeliveryOwner {
  released(d: Delivery): void;
  orphan(deliveries: Delivery[]): void;
  /** Takes the ack of a finished delivery when its consumer acks in its own way (ack policy `all`); false: ack it as usual. */
  finished?(d: Delivery): boolean;
}

/**
 * One mailbox message held by this node between its delivery and its ack. It stays unacked (and
 * is kept alive with `working()`) while queued, so a crash of the node means redelivery.
 */
export interface Delivery {
  readonly msg: JsMsg;
  /** Stream sequence: increases per actor, so it orders and de-duplicates state application. */
  readonly seq: number;
  readonly actor: string;
  readonly envelope: Envelope;
  /**
   * For a message from another site's outbox: that stream (with its epoch, see
   * OriginEpochs.keyOf) and the message's sequence in it (from the Cairn-Origin header). The
   * outbox forwarder keeps each actor's messages in outbox order, so it de-duplicates what a peer
   * sends again after this site's WorkQueue forgot what it handled.
   */
  readonly origin?: { readonly stream: string; readonly seq: number };
  /**
   * Which mailbox stream `seq` numbers in: its creation time. A stream made anew (deleted, or its
   * store lost) numbers from 1 again, so positions of the earlier one say nothing of it.
   */
  readonly mailbox?: string;
  /** When its time to live ends (stored time + its Nats-TTL); not handled after that. Absent: no ttl. */
  readonly expiresAt?: number;
  /**
   * The dispatcher it came through when that is not the site mailbox's: a direct source
   * (direct-source.ts) reading another stream for this node's actors.
   */
  readonly owner?: DeliveryOwner;
  /**
   * What its dead-letter copy holds when the message read is not a mailbox message (a device
   * publish made into an envelope): the envelope on the actor's mailbox subject, so that a replay
   * stores it in the mailbox as any message; and the stream read with its incarnation, which with the
   * actor keys the copy's id (several apps' consumers read one store).
   */
  readonly copy?: { readonly data: Uint8Array; readonly subject: string; readonly stream: string };
  /** Its source bounds what is in flight (its consumer's max_ack_pending): the actor's mailbox.capacity does not refuse it. */
  readonly boundedBySource?: boolean;
  /** Failed handler attempts so far on this node. */
  attempts: number;
  /** Not to be attempted before this time (retry backoff). */
  notBefore: number;
  readonly receivedAt: number;
  /** Last time the server was told we are still working on it. */
  touchedAt: number;
  /** Set when its last attempt failed but its dead-letter copy could not be stored yet: what to store, retried with backoff. */
  deadLetter?: { readonly code: string; readonly reason: string };
  /** Failed tries of a side path (storing the dead-letter copy) in a row, for its backoff. */
  sideFailures?: number;
}
