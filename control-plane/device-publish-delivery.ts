import type { JsMsg } from '@nats-io/jetstream';
import { ENVELOPE_VERSION, Subjects, encodeEnvelope, formatAddress } from '../protocols/index.ts';
import type { Envelope, RoutedMessage } from '../protocols/index.ts';
import type { DecodedDelivery } from '../kernel/index.ts';
import { headersOf } from './route-forwarder.ts';
import { MQTT_MSGS_PREFIX, MQTT_MSGS_STREAM, routeDeliveries } from './route-plan.ts';
import type { RoutePlan } from './route-plan.ts';

/**
 * A device publish read from nats-server's MQTT store, as the delivery to the actor its route
 * targets: the same routed message, envelope id and instance a forwarder would have stored in the
 * mailbox (the id from the store's sequence), with the store's sequence as its origin (what
 * de-duplicates a redelivery) and, for a dead letter, the envelope on the actor's mailbox subject.
 * Undefined when no route of the plan takes its subject. The plan must send each subject to one
 * route at most (oneRoutePerSubject).
 */
export function devicePublishDelivery(site: string, plan: RoutePlan, m: JsMsg, incarnation: string): DecodedDelivery | undefined {
  const subject = m.subject.startsWith(MQTT_MSGS_PREFIX) ? m.subject.slice(MQTT_MSGS_PREFIX.length) : m.subject;
  const info = m.info;
  const seq = info.streamSequence;
  const [route] = routeDeliveries(plan, incarnation, subject, seq, MQTT_MSGS_STREAM);
  if (!route) return undefined;
  const headers = headersOf(m);
  const body: RoutedMessage = { type: 'routed', subject, data: m.data, route: route.route, ...(headers ? { headers } : {}) };
  const envelope: Envelope = { v: ENVELOPE_VERSION, id: route.id, type: body.type, from: `${site}/~routes`, to: formatAddress({ site, actor: route.instance }), ts: Math.floor(info.timestampNanos / 1e6), body };
  return {
    actor: route.instance,
    envelope,
    origin: { stream: `${MQTT_MSGS_STREAM}@${incarnation}`, seq },
    copy: {
      // Encoded only when it is dead-lettered.
      get data() {
        return encodeEnvelope(envelope);
      },
      subject: Subjects.mailbox(site, route.instance),
      stream: `${MQTT_MSGS_STREAM}@${incarnation}`,
    },
  };
}
