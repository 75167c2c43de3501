import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { MQTT_MSGS_STREAM } from './route-plan.ts';

/** How many device publishes an app's consumer on the MQTT store holds: not yet handed out, and handed out but not acked. */
export async function heldByStoreConsumer(jsm: JetStreamManager, consumer: string): Promise<number> {
  const info = await jsm.consumers.info(MQTT_MSGS_STREAM, consumer);
  return info.num_pending + info.num_ack_pending;
}

/** How many of `held` to drop to keep `limit`. Pure. */
export function storeExcess(held: number, limit: number): number {
  return limit > 0 && held > limit ? held - limit : 0;
}

/**
 * Drops up to `count` of the oldest device publishes an app's consumer on the MQTT store hands out
 * next: takes them through the consumer and acks them, so the server (interest retention) lets
 * them go. Nothing else may read the consumer meanwhile (RouteExecutor.shed pauses its forwarder
 * and moves the consumer back to its ack floor first). Returns how many were dropped.
 */
export async function dropOldestFromStore(js: JetStreamClient, consumer: string, count: number, log?: Logger): Promise<number> {
  const c = await js.consumers.get(MQTT_MSGS_STREAM, consumer);
  let dropped = 0;
  try {
    while (dropped < count) {
      const batch = await c.fetch({ max_messages: Math.min(count - dropped, 1_000), expires: 2_000 });
      const got = [];
      for await (const m of batch) got.push(m);
      if (got.length === 0) break;
      // Acks go in order on one connection: the last one confirmed, all were taken.
      for (const m of got.slice(0, -1)) m.ack();
      await got.at(-1)!.ackAck();
      dropped += got.length;
    }
  } catch (err) {
    // What was confirmed is gone: counted, so that it is reported.
    if (dropped === 0) throw err;
    log?.warn({ err, consumer, dropped, count }, 'routes: the cut of the MQTT store stopped part-way');
  }
  return dropped;
}
