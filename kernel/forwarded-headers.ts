import { headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs } from '@nats-io/transport-node';
import { Headers } from '../protocols/index.ts';

/**
 * The headers a forwarded message is stored with: the ones it was sent with (its `Nats-Msg-Id`
 * among them, so that a message forwarded twice is stored once), and its origin. A message sent
 * without an id gets one from its place in the outbox.
 */
export function forwardedHeaders(sent: MsgHdrs | undefined, outbox: string, seq: number, outboxCreated: string | undefined): MsgHdrs {
  const h = natsHeaders();
  if (sent) for (const key of sent.keys()) for (const value of sent.values(key)) h.append(key, value);
  if (!h.has(Headers.msgId)) h.set(Headers.msgId, `${outbox}@${outboxCreated ?? ''}:${seq}`);
  h.set(Headers.origin, `${outbox} ${seq}`);
  return h;
}
