import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Moves a durable consumer back to its ack floor ($JS.API.CONSUMER.RESET, nats-server 2.14+): what
 * it had handed out and not had acked comes again at once, in stream order, rather than after its
 * ack wait behind newer messages. Through `jsm`'s API prefix (its domain's).
 */
export async function resetConsumer(nc: NatsConnection, jsm: JetStreamManager, stream: string, consumer: string): Promise<void> {
  const reply = await nc.request(`${apiPrefixOf(jsm)}.CONSUMER.RESET.${stream}.${consumer}`, new Uint8Array(0), { timeout: 5_000 });
  const answer = JSON.parse(new TextDecoder().decode(reply.data)) as { error?: { description?: string } };
  if (answer.error) throw new Error(`resetting consumer ${consumer} on ${stream} failed: ${answer.error.description ?? JSON.stringify(answer.error)}`);
}

/** The JetStream API prefix `jsm` talks to (its domain's). */
function apiPrefixOf(jsm: JetStreamManager): string {
  const o = jsm.getOptions();
  return o.apiPrefix ?? (o.domain ? `$JS.${o.domain}.API` : '$JS.API');
}
