import { headers as natsHeaders } from '@nats-io/transport-node';
import type { SiteNats } from './actor-context.ts';

/**
 * Publishes on the site: stored (and acked) by the stream that captures `subject` when one does
 * (a route's, so its actor gets it durably), otherwise published to whoever subscribes (MQTT
 * devices among them) and flushed. Rejects when a capturing stream did not store it.
 */
export async function publishOnSite(nats: SiteNats, subject: string, data: Uint8Array, headers?: Readonly<Record<string, string>>): Promise<void> {
  const h = headers ? natsHeaders() : undefined;
  for (const [k, v] of Object.entries(headers ?? {})) h!.set(k, v);
  try {
    await nats.js.publish(subject, data, h ? { headers: h } : {});
  } catch (err) {
    if ((err as Error).name !== 'NoRespondersError' && !/no responders/i.test((err as Error).message)) throw err;
    nats.connection.publish(subject, data, h ? { headers: h } : {});
    await nats.connection.flush();
  }
}
