import type { JsMsg } from '@nats-io/jetstream';
import { Headers, KernelCodes, Subjects, decodeEnvelope, isCairnError } from '../protocols/index.ts';
import type { Envelope } from '../protocols/index.ts';
import { sourceOrigin } from './delivery-order.ts';
import type { Delivery, DeliveryOwner } from './delivery.ts';
import { expiresAt } from './message-ttl.ts';
import type { OriginEpochs } from './source-epochs.ts';

/** What a direct source makes of a message it reads (see DispatcherOptions.decode). */
export interface DecodedDelivery {
  /** The actor of this node it is for. */
  readonly actor: string;
  readonly envelope: Envelope;
  /** Its stream (with the stream's incarnation) and sequence there: what de-duplicates a redelivery (Delivery.origin). */
  readonly origin: { readonly stream: string; readonly seq: number };
  /** Its dead-letter copy (Delivery.copy). */
  readonly copy: { readonly data: Uint8Array; readonly subject: string; readonly stream: string };
}

/**
 * What a dispatcher makes of a message it read: a delivery for an actor; one for no actor (acked
 * unhandled); one it cannot read, dead-lettered with a code (a direct source's with its copy: the
 * message as stored there, keyed by that stream).
 */
export type ReadMessage =
  | { readonly delivery: Delivery }
  | { readonly skip: true }
  | { readonly undecodable: { readonly actor: string; readonly code: string; readonly reason: string; readonly copy?: Delivery['copy'] } };

/** A site mailbox message: its envelope, origin (another site's, by epoch) and ttl. Pure but for the clock value given. */
export function mailboxDelivery(m: JsMsg, seq: number, timestampNanos: number, incarnation: string, epochs: OriginEpochs, now: number): ReadMessage {
  const actor = Subjects.actorOf(m.subject);
  let envelope;
  try {
    envelope = decodeEnvelope(m.data);
  } catch (err) {
    return { undecodable: { actor, code: isCairnError(err) ? err.code : KernelCodes.UNDECODABLE, reason: (err as Error).message } };
  }
  const headers = m.headers;
  // Forwarded from another site's outbox (Cairn-Origin), or sourced by an older Cairn (Nats-Stream-Source).
  const source = sourceOrigin(headers?.get(Headers.origin) || headers?.get('Nats-Stream-Source'));
  const origin = source && { stream: epochs.keyOf(source.stream, seq), seq: source.seq };
  const ttl = headers?.get(Headers.ttl);
  // Only a message with a ttl pays for reading its stored time out of the reply subject.
  const expiry = ttl ? expiresAt(Math.floor(timestampNanos / 1e6), ttl) : undefined;
  return { delivery: { msg: m, seq, mailbox: incarnation, actor, envelope, ...(origin ? { origin } : {}), ...(expiry === undefined ? {} : { expiresAt: expiry }), attempts: 0, notBefore: 0, receivedAt: now, touchedAt: now } };
}

/**
 * A direct source's message, read by its `decode` (see DispatcherOptions.decode). One `decode`
 * throws on is dead-lettered under `unreadableActor`, as it is stored in its stream. Pure but for the clock value given.
 */
export function directDelivery(m: JsMsg, seq: number, incarnation: string, decode: (m: JsMsg, incarnation: string) => DecodedDelivery | undefined, owner: DeliveryOwner, now: number, unreadableActor: string): ReadMessage {
  let decoded: DecodedDelivery | undefined;
  try {
    decoded = decode(m, incarnation);
  } catch (err) {
    // Read again it would fail again: a poison message, kept with its reason where an operator looks.
    const reason = `the direct source could not read ${m.subject} (sequence ${seq}): ${(err as Error)?.message ?? String(err)}`;
    // Its dead letter is keyed by the stream it came from (the same sequence of another stream is another message).
    const copy = { data: m.data, subject: m.subject, stream: `${m.info.stream}@${incarnation}` };
    return { undecodable: { actor: unreadableActor, code: isCairnError(err) ? err.code : KernelCodes.UNDECODABLE, reason, copy } };
  }
  if (!decoded) return { skip: true };
  return { delivery: { msg: m, seq, actor: decoded.actor, envelope: decoded.envelope, origin: decoded.origin, copy: decoded.copy, owner, boundedBySource: true, attempts: 0, notBefore: 0, receivedAt: now, touchedAt: now } };
}
