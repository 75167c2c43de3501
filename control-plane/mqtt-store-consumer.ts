import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import type { ConsumerConfig, ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { isNotFound } from '../kernel/index.ts';
import { Consumers } from '../protocols/index.ts';
import { MQTT_MSGS_PREFIX, MQTT_MSGS_STREAM } from './route-plan.ts';
import type { RoutePlan } from './route-plan.ts';

/** How long a reader of the MQTT store may hold a device publish before the server hands it out again. */
export const MQTT_STORE_ACK_WAIT_MS = 30_000;

/**
 * Whether an app's device publishes may be acked together (ack policy `all`: one ack covers every
 * message below it): when all its routes reach one actor instance, which finishes them in the order
 * read, so no message is finished while one read before it is not. With several instances one
 * slow or restarting actor would hold back the acks of the others (and, at max_ack_pending, their
 * messages): each is then acked on its own. Direct delivery only: a forwarder into mailboxes acks
 * in the order its stores complete. Pure.
 */
export function acksTogether(plan: RoutePlan, direct: boolean): boolean {
  return direct && new Set(plan.routes.flatMap((r) => r.instances)).size === 1;
}

/**
 * The consumer through which an app's MQTT routes read nats-server's MQTT message store. Made once
 * and kept across restarts (what it has not acked stays for the next reader; deleting it would let
 * the server drop what only it wanted); created at the store's newest message, so devices' earlier
 * publishes are not taken. Its interest is what makes the server keep (interest retention) the
 * QoS 1 and 2 publishes it PUBACKs. Pure.
 */
export function mqttStoreConsumerConfig(site: string, app: string, plan: RoutePlan, together = false): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: Consumers.mqttRoutes(site, app),
    ack_policy: together ? AckPolicy.All : AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    filter_subjects: plan.subjects.map((subject) => `${MQTT_MSGS_PREFIX}${subject}`),
    ack_wait: nanos(MQTT_STORE_ACK_WAIT_MS),
    max_ack_pending: 1_024,
    max_deliver: -1,
  };
}

/**
 * Gets the app's consumer on the MQTT store as `config` says: made if missing, its filters brought
 * up to date, and made anew when its ack policy must change (nats-server does not change a
 * consumer's). Nothing PUBACKed is let go on the way: a handover consumer first takes the store's
 * interest in everything after the old consumer's ack floor, then the old one goes, the new one
 * starts at that floor, and the handover consumer goes. If this is cut short (the node killed), a
 * handover consumer left behind tells the next call where the new consumer starts. `fresh`: made
 * now (it has nothing to hand out again); `since`: since when the store keeps the app's publishes.
 */
export async function ensureMqttStoreConsumer(jsm: JetStreamManager, site: string, app: string, config: Partial<ConsumerConfig> & { durable_name: string }, log: Logger): Promise<{ info: ConsumerInfo; fresh: boolean; since: number }> {
  const handover = Consumers.mqttRoutesHandover(site, app);
  const [existing, left] = await Promise.all([consumerInfo(jsm, config.durable_name), consumerInfo(jsm, handover)]);
  if (existing && existing.config.ack_policy === config.ack_policy) {
    if (left) await dropConsumer(jsm, handover);
    if (JSON.stringify(existing.config.filter_subjects ?? [existing.config.filter_subject]) !== JSON.stringify(config.filter_subjects)) {
      const info = await jsm.consumers.update(MQTT_MSGS_STREAM, config.durable_name, { filter_subjects: config.filter_subjects! });
      return { info, fresh: false, since: Date.parse(existing.created) };
    }
    return { info: existing, fresh: false, since: Date.parse(existing.created) };
  }
  if (!existing && !left) {
    const info = await jsm.consumers.add(MQTT_MSGS_STREAM, config);
    return { info, fresh: true, since: Date.parse(info.created) };
  }
  // From here on, everything after `from - 1` must stay of interest until the new consumer has it.
  const from = existing ? existing.ack_floor.stream_seq + 1 : (left!.config.opt_start_seq ?? left!.ack_floor.stream_seq + 1);
  const start = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from };
  if (existing) {
    log.info({ app, from, ackPolicy: config.ack_policy }, 'routes: making the consumer on the MQTT store anew with another ack policy');
    if (left) await dropConsumer(jsm, handover);
    await jsm.consumers.add(MQTT_MSGS_STREAM, { ...config, durable_name: handover, ack_policy: AckPolicy.Explicit, ...start });
    await dropConsumer(jsm, config.durable_name);
  } else log.warn({ app, from }, 'routes: a handover of the consumer on the MQTT store was cut short; finishing it');
  const info = await jsm.consumers.add(MQTT_MSGS_STREAM, { ...config, ...start });
  await dropConsumer(jsm, handover);
  // The store kept the app's device publishes since the first consumer (or the handover) was made.
  return { info, fresh: true, since: Date.parse((existing ?? left)!.created) };
}

function consumerInfo(jsm: JetStreamManager, name: string): Promise<ConsumerInfo | undefined> {
  return jsm.consumers.info(MQTT_MSGS_STREAM, name).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
}

async function dropConsumer(jsm: JetStreamManager, name: string): Promise<void> {
  await jsm.consumers.delete(MQTT_MSGS_STREAM, name).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
}
