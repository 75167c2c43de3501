import type { JsMsg } from '@nats-io/jetstream';
import type { Msg } from '@nats-io/transport-node';
import { ENVELOPE_VERSION, Subjects, encodeEnvelope, formatAddress } from '../protocols/index.ts';
import type { Envelope, RoutedMessage } from '../protocols/index.ts';
import type { DecodedDelivery } from '../kernel/index.ts';
import { headersOf } from './route-forwarder.ts';
import { mqttOnlyHeaders } from './mqtt-publish-qos.ts';
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
  const body: RoutedMessage = { type: 'routed', subject, data: m.data, route: route.route, headers: storeHeaders(m) };
  const names = namesOf(site, route.instance);
  const envelope: Envelope = { v: ENVELOPE_VERSION, id: route.id, type: body.type, from: names.from, to: names.to, ts: Math.floor(info.timestampNanos / 1e6), body };
  const stream = `${MQTT_MSGS_STREAM}@${incarnation}`;
  return {
    actor: route.instance,
    envelope,
    origin: { stream, seq },
    copy: new EnvelopeCopy(envelope, names.mailbox, stream),
  };
}

/** A delivery's dead-letter copy: its envelope on the actor's mailbox subject, encoded only when read (when it is dead-lettered). */
class EnvelopeCopy {
  constructor(
    private readonly envelope: Envelope,
    readonly subject: string,
    readonly stream: string,
  ) {}

  get data(): Uint8Array {
    return encodeEnvelope(this.envelope);
  }
}

/** The addresses of a site's route instances, made (and checked) once each rather than per message. */
const names = new Map<string, { readonly from: string; readonly to: string; readonly mailbox: string }>();

function namesOf(site: string, instance: string): { readonly from: string; readonly to: string; readonly mailbox: string } {
  const key = `${site}/${instance}`;
  let found = names.get(key);
  if (!found) {
    // Bounded: a node runs the instances of a few sites' apps; past this, start over.
    if (names.size >= 4_096) names.clear();
    names.set(key, (found = { from: `${site}/~routes`, to: formatAddress({ site, actor: instance }), mailbox: Subjects.mailbox(site, instance) }));
  }
  return found;
}

/** A store message's headers: read straight from its bytes when they are only the publish's QoS (the usual case), else decoded. */
function storeHeaders(m: JsMsg): Record<string, string> | undefined {
  const msg = (m as { readonly msg?: Msg }).msg;
  return (msg && mqttOnlyHeaders(msg)) ?? headersOf(m);
}
