import { headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs } from '@nats-io/transport-node';
import { MQTT_QOS_HEADER, MQTT_STORE_PREFIX } from '../protocols/index.ts';
import type { SiteNats } from './actor-context.ts';
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';

const isNoResponders = (err: unknown): boolean => (err as Error)?.name === 'NoRespondersError' || /no responders/i.test((err as Error)?.message ?? '');

/** How long what JetStream said of a subject (which stream captures it) is taken as still true. */
export const CAPTURE_LOOKUP_TTL_MS = 1_000;
/** Most subjects remembered per connection; past it, all are forgotten. */
const MAX_REMEMBERED = 10_000;

/**
 * Which stream of the site captures a subject, as JetStream says (`STREAM.NAMES` by subject),
 * remembered CAPTURE_LOOKUP_TTL_MS. A publish cannot learn it from its own reply: any plain
 * subscriber of the subject (an MQTT device, a NATS client) takes the request, so "no responders"
 * does not come, and without a stream nobody answers.
 */
export class CapturingStreams {
  private readonly known = new Map<string, { readonly stream: Promise<string | undefined>; readonly at: number }>();

  constructor(
    private readonly nats: Pick<SiteNats, 'jsm'>,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The stream capturing `subject`; asks at most once a second per subject (asks under way are shared). */
  of(subject: string): Promise<string | undefined> {
    const now = this.clock.now();
    const hit = this.known.get(subject);
    if (hit && now - hit.at < CAPTURE_LOOKUP_TTL_MS) return hit.stream;
    const stream = this.nats.jsm.streams.find(subject).catch((err: unknown) => {
      if (/no stream matches subject/i.test((err as Error)?.message ?? '') || isNoResponders(err)) return undefined;
      this.forget(subject);
      throw err;
    });
    if (this.known.size >= MAX_REMEMBERED) this.known.clear();
    this.known.set(subject, { stream, at: now });
    return stream;
  }

  /** Asks again next time (what was said may no longer hold: a publish to that stream found no one). */
  forget(subject: string): void {
    this.known.delete(subject);
  }
}

const lookups = new WeakMap<SiteNats, CapturingStreams>();
const capturingStreams = (nats: SiteNats): CapturingStreams => {
  let streams = lookups.get(nats);
  if (!streams) lookups.set(nats, (streams = new CapturingStreams(nats)));
  return streams;
};

const headersOf = (headers: Readonly<Record<string, string>> | undefined): MsgHdrs | undefined => {
  if (!headers) return undefined;
  const h = natsHeaders();
  for (const [k, v] of Object.entries(headers)) h.set(k, v);
  return h;
};

/**
 * Publishes on the site: stored (and acked) by the stream that captures `subject` when one does
 * (a route's, so its actor gets it durably), otherwise published to whoever subscribes (MQTT
 * devices among them) and flushed. Rejects when a capturing stream did not store it.
 */
export async function publishOnSite(nats: SiteNats, subject: string, data: Uint8Array, headers?: Readonly<Record<string, string>>): Promise<void> {
  const h = headersOf(headers);
  const opts = h ? { headers: h } : {};
  const streams = capturingStreams(nats);
  const stream = await streams.of(subject);
  if (stream !== undefined) {
    try {
      await nats.js.publish(subject, data, { ...opts, expect: { streamName: stream } });
      return;
    } catch (err) {
      // The stream no longer captures it (deleted, or its subjects changed, since it was looked
      // up): with nobody else listening published as to subscribers; with someone (whose silence
      // timed the publish out), the caller tries again and the next look asks JetStream anew.
      streams.forget(subject);
      if (!isNoResponders(err)) throw err;
    }
  }
  nats.connection.publish(subject, data, opts);
  await nats.connection.flush();
}

/**
 * Publishes on the site as nats-server publishes a QoS 1 MQTT message: stored first in the site's
 * MQTT store (`$MQTT.msgs.<subject>`, kept while an MQTT route or a QoS 1 MQTT subscription wants
 * it: those read it there, durably), then published with `Nmqtt-Pub: 1` (publishOnSite: QoS 0 MQTT
 * subscribers, NATS subscribers and streams get it; QoS 1 MQTT subscriptions skip that copy).
 * Rejects when either did not take it (a caller that tries again may store it twice: at least
 * once); a site without an MQTT store (no MQTT listener and no MQTT route) just publishes.
 */
export async function publishOnSiteAsQos1(nats: SiteNats, subject: string, data: Uint8Array, headers?: Readonly<Record<string, string>>): Promise<void> {
  const marked = { ...headers, [MQTT_QOS_HEADER]: '1' };
  // Stored when the site has an MQTT store (also on it, a subscriber of everything hears it).
  await publishOnSite(nats, `${MQTT_STORE_PREFIX}${subject}`, data, marked);
  await publishOnSite(nats, subject, data, marked);
}
