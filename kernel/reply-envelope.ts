import { nuid } from '@nats-io/transport-node';
import { ENVELOPE_VERSION } from '../protocols/index.ts';
import type { Envelope } from '../protocols/index.ts';

/** The envelope answering an ask: to whoever asked (or its reply subject), carrying the ask's correlation id. */
export function replyEnvelope(request: Envelope, type: string, body: unknown, from: string, ts: number): Envelope {
  return {
    v: ENVELOPE_VERSION,
    id: nuid.next(),
    type,
    from,
    to: request.from ?? request.reply ?? '',
    ...(request.cid ? { cid: request.cid } : {}),
    ts,
    body,
  };
}
