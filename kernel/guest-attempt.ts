import { parseAddress } from '../protocols/index.ts';
import type { Delivery } from './delivery.ts';
import type { NatsSender } from './nats-sender.ts';
import type { RemoteHost } from './remote-host.ts';

/** What one attempt in a guest came to, for the cell loop to commit or count as a failure. */
export type GuestAttempt<S> =
  | { readonly ok: true; readonly reply: unknown; readonly staged: { value: S } | undefined }
  | { readonly ok: false; readonly error: Error; readonly guestDied: boolean };

/**
 * Runs the guest's handler once for a delivery, then sends what the handler sent, before the
 * message is acked and with the guest's deterministic ids (a retry does not send twice). A guest
 * that died is named, as when it dies idle: "guest pid 42 exited with code 3". A send that fails
 * throws, as a handler failure would.
 */
export async function attemptInGuest<S>(guest: RemoteHost, d: Delivery, sender: NatsSender): Promise<GuestAttempt<S>> {
  const outcome = await guest.handle(d.envelope, d.attempts + 1);
  if (!outcome.ok) {
    const guestDied = 'exit' in outcome;
    const error = guestDied ? `guest ${guest.channel.describe} ${outcome.error}` : outcome.error;
    return { ok: false, error: Object.assign(new Error(error), { code: outcome.code }), guestDied };
  }
  for (const send of outcome.sends) {
    await sender.tell(parseAddress(send.to), send.body, { id: send.id, ...(send.hdr ? { headers: send.hdr } : {}), ...(send.ttl !== undefined ? { ttl: send.ttl } : {}) });
  }
  return { ok: true, reply: outcome.reply, staged: outcome.state ? { value: outcome.state.value as S } : undefined };
}
