import { MQTT_QOS_HEADER, Streams, SubjectMatcher, coveringSubjects, filtersIntersect, routeSubjects } from '../protocols/index.ts';
import type { Application } from './manifest/index.ts';
import type { SiteInstance } from './site-instances.ts';

/** One manifest route as a site runs it. */
export interface PlannedRoute {
  /** Its index in spec.routes (the message says which route delivered it). */
  readonly index: number;
  /** The NATS subject filters it captures. */
  readonly subjects: readonly string[];
  /** This site's instances of its target actor, in replica order: each message goes to one. */
  readonly instances: readonly string[];
  /** It takes an MQTT topic filter (devices publish to it). */
  readonly mqtt?: boolean;
}

/** An app's routes on one site: one WorkQueue stream capturing their subjects, one forwarder. */
export interface RoutePlan {
  readonly site: string;
  readonly app: string;
  readonly stream: string;
  /** The stream's subjects: every route's, without those another one covers. */
  readonly subjects: readonly string[];
  readonly routes: readonly PlannedRoute[];
}

/**
 * The routes of `app` this site runs: those whose target actor has instances here (a route to an
 * actor that runs elsewhere is captured there). Undefined when none does. Pure.
 */
export function planRoutes(site: string, app: Application, instances: readonly SiteInstance[]): RoutePlan | undefined {
  const routes = app.spec.routes.flatMap((route, index): PlannedRoute[] => {
    const targets = instances.filter((i) => i.actor.id === route.to.actor).sort((a, b) => a.replica - b.replica);
    if (targets.length === 0) return [];
    const source = route.from.mqtt !== undefined ? { mqtt: route.from.mqtt } : { subject: route.from.subject ?? '' };
    return [{ index, subjects: routeSubjects(source), instances: targets.map((t) => t.instanceId), ...(source.mqtt === undefined ? {} : { mqtt: true }) }];
  });
  if (routes.length === 0) return undefined;
  return { site, app: app.metadata.name, stream: Streams.routes(site, app.metadata.name), subjects: coveringSubjects(routes.flatMap((r) => r.subjects)), routes };
}

/** Where one captured message goes: each route matching its subject, to one instance of the target. */
export interface RouteDelivery {
  readonly route: number;
  readonly instance: string;
  /** De-duplication id of the forwarded tell: the same capture forwarded again is stored once. */
  readonly id: string;
}

/**
 * The deliveries of the message captured at `seq` on `subject`. The instance is chosen by sequence,
 * so a redelivery after a crash goes where the first attempt went and de-duplicates there;
 * `incarnation` tells apart streams of the same name (an app deleted and applied again). Pure.
 */
export function routeDeliveries(plan: RoutePlan, incarnation: string, subject: string, seq: number, stream: string = plan.stream): RouteDelivery[] {
  const tokens = subject.split('.');
  const out: RouteDelivery[] = [];
  for (const { route, matchers } of compiled(plan)) {
    if (matchers.some((m) => m.matchesTokens(tokens))) out.push({ route: route.index, instance: route.instances[seq % route.instances.length]!, id: `rt:${stream}:${incarnation}:${seq}:${route.index}` });
  }
  return out;
}

/** Each plan's routes with their filters split once: every message a route takes is matched against them. */
const matchersOf = new WeakMap<RoutePlan, readonly { readonly route: PlannedRoute; readonly matchers: readonly SubjectMatcher[] }[]>();

function compiled(plan: RoutePlan): readonly { readonly route: PlannedRoute; readonly matchers: readonly SubjectMatcher[] }[] {
  let routes = matchersOf.get(plan);
  if (!routes) matchersOf.set(plan, (routes = plan.routes.map((route) => ({ route, matchers: route.subjects.map((f) => new SubjectMatcher(f)) }))));
  return routes;
}

/** nats-server's MQTT message store (protocols' MQTT_STORE_STREAM), and the prefix of its subjects. */
export { MQTT_STORE_STREAM as MQTT_MSGS_STREAM, MQTT_STORE_PREFIX as MQTT_MSGS_PREFIX } from '../protocols/index.ts';

/**
 * Whether the plan reads QoS 1 and 2 device publishes from the server's MQTT store (it has an
 * MQTT route): then the capture stream's copies of them are passed over (it holds them only after
 * the PUBACK), or it leaves the MQTT topics out altogether (leavesMqttTopicsToStore). Pure.
 */
export function readsMqttStore(plan: RoutePlan): boolean {
  return plan.routes.some((r) => r.mqtt === true);
}

/**
 * Whether the plan's capture stream leaves out its MQTT topics: it has MQTT routes and sends each
 * subject to one route at most. Then the QoS 1 and 2 publishes on them (devices', and what a bridge
 * brings, which it stores as a QoS 1 publish) come from the MQTT store only, where they are kept
 * before the PUBACK; the rest published on them (QoS 0, plain NATS publishes) is taken best effort
 * (bestEffortSubjects). Otherwise the capture stream would store a copy of every QoS 1 publish. Pure.
 */
export function leavesMqttTopicsToStore(plan: RoutePlan): boolean {
  return readsMqttStore(plan) && oneRoutePerSubject(plan);
}

/**
 * The subjects of the plan's capture stream: all of its routes', or, when it leaves its MQTT topics
 * to the store, those of its other routes (a subject nobody publishes on when there are none: the
 * stream is made all the same). Pure.
 */
export function captureSubjects(plan: RoutePlan, leaveMqtt: boolean): string[] {
  if (!leaveMqtt) return [...plan.subjects];
  const subjects = coveringSubjects(plan.routes.filter((r) => r.mqtt !== true).flatMap((r) => r.subjects));
  return subjects.length > 0 ? subjects : [`cairn.routes.none.${plan.site}.${plan.app}`];
}

/** What the plan takes best effort when it leaves its MQTT topics to the store: those topics' subjects. Pure. */
export function bestEffortSubjects(plan: RoutePlan, leaveMqtt: boolean): string[] {
  return leaveMqtt ? coveringSubjects(plan.routes.filter((r) => r.mqtt === true).flatMap((r) => r.subjects)) : [];
}

/**
 * Whether every message the plan's routes take goes to one route at most (no subject matches two
 * of them): then the MQTT store's device publishes can be handed to their actors directly, one
 * delivery each, instead of being forwarded into mailboxes. Pure.
 */
export function oneRoutePerSubject(plan: RoutePlan): boolean {
  const { routes } = plan;
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length; j++) {
      if (routes[i]!.subjects.some((a) => routes[j]!.subjects.some((b) => filtersIntersect(a, b)))) return false;
    }
  }
  return true;
}

/** Whether a captured message is a QoS 1 or 2 device publish (nats-server marks them `Nmqtt-Pub: 1|2`). Pure. */
export function isStoredDevicePublish(headers: Readonly<Record<string, string>> | undefined): boolean {
  const qos = headers?.[MQTT_QOS_HEADER];
  return qos === '1' || qos === '2';
}
