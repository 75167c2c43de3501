import type { Msg } from '@nats-io/transport-node';
import { MQTT_QOS_HEADER } from '../protocols/index.ts';

const CR = 0x0d;
const PREFIX = new TextEncoder().encode(`${MQTT_QOS_HEADER}:`);

/**
 * The QoS an MQTT publish carried, from the `Nmqtt-Pub` header nats-server puts first on every
 * message it makes of one ("NATS/1.0\r\nNmqtt-Pub:1…"; its first character is the QoS);
 * undefined for a message no MQTT client published. Every device publish on a route's topics
 * reaches the best-effort subscription, so this reads that one line of the message's raw header
 * bytes where the NATS client exposes them, without decoding the others; otherwise (another
 * client, a message made by hand) it asks the decoded headers. Pure.
 */
export function mqttPublishQos(m: Msg): number | undefined {
  const raw = rawHeader(m);
  if (raw === undefined) return qosOf(m.headers?.get(MQTT_QOS_HEADER));
  const start = raw.indexOf(CR) + 2;
  if (start < 2 || !startsWith(raw, PREFIX, start)) return raw.length === 0 ? undefined : qosOf(m.headers?.get(MQTT_QOS_HEADER));
  let at = start + PREFIX.length;
  while (raw[at] === 0x20) at++;
  const digit = (raw[at] ?? 0) - 0x30;
  return digit >= 0 && digit <= 2 ? digit : undefined;
}

/**
 * The headers of a message nats-server made of an MQTT publish, when they are only its
 * `Nmqtt-Pub` line (the usual case: "NATS/1.0\r\nNmqtt-Pub:1\r\n\r\n"), read from the raw header
 * bytes without the NATS client's decoding; undefined otherwise (other headers too, no raw bytes),
 * for the caller to decode them. Pure.
 */
export function mqttOnlyHeaders(m: Msg): Record<string, string> | undefined {
  const raw = rawHeader(m);
  if (raw === undefined || raw.length !== ONLY_QOS_LENGTH || !startsWith(raw, ONLY_QOS_HEAD, 0) || !startsWith(raw, ONLY_QOS_TAIL, ONLY_QOS_LENGTH - ONLY_QOS_TAIL.length)) return undefined;
  const digit = raw[ONLY_QOS_HEAD.length]! - 0x30;
  return digit >= 0 && digit <= 2 ? { [MQTT_QOS_HEADER]: String(digit) } : undefined;
}

const ONLY_QOS_HEAD = new TextEncoder().encode(`NATS/1.0\r\n${MQTT_QOS_HEADER}:`);
const ONLY_QOS_TAIL = new TextEncoder().encode('\r\n\r\n');
const ONLY_QOS_LENGTH = ONLY_QOS_HEAD.length + 1 + ONLY_QOS_TAIL.length;

function qosOf(value: string | undefined): number | undefined {
  const digit = value === undefined ? Number.NaN : value.trim().charCodeAt(0) - 0x30;
  return digit >= 0 && digit <= 2 ? digit : undefined;
}

/** The header block of a message of @nats-io/nats-core (its MsgImpl keeps the raw bytes and the header length); undefined when unknown, empty without headers. */
function rawHeader(m: Msg): Uint8Array | undefined {
  const impl = m as unknown as { _rdata?: unknown; _msg?: { hdr?: unknown } };
  const hdr = impl._msg?.hdr;
  if (!(impl._rdata instanceof Uint8Array) || typeof hdr !== 'number') return undefined;
  return hdr < 0 ? new Uint8Array(0) : impl._rdata.subarray(0, hdr);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array, at: number): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}
