// What the direct-source tests hand an actor: a stream message read as a `reading`, with the
// envelope, origin and dead-letter copy a real decoder (devicePublishDelivery) would make.
import type { JsMsg } from '@nats-io/jetstream';
import type { DecodedDelivery } from '../../kernel/index.ts';
import { ENVELOPE_VERSION, Subjects, encodeEnvelope } from '../../protocols/index.ts';

/** `m` (stream `SRC`) as a reading for `actor` of `site`, its data the reading's value. */
export function readingDelivery(site: string, actor: string, m: JsMsg, incarnation: string): DecodedDelivery {
  const value = new TextDecoder().decode(m.data);
  const envelope = { v: ENVELOPE_VERSION, id: `src-${m.seq}`, type: 'reading', from: `${site}/~src`, to: `${site}/${actor}`, ts: 0, body: { type: 'reading', value } };
  return { actor, envelope, origin: { stream: `SRC@${incarnation}`, seq: m.seq }, copy: { data: encodeEnvelope(envelope), subject: Subjects.mailbox(site, actor), stream: `SRC@${incarnation}` } };
}
