/*
 * Device access: what a site's nats-server must offer MQTT devices for a module (the hub): its
 * listeners and the principals devices log in as, each with allow-listed topic filters. The control
 * plane publishes one DeviceAccess per application and site; the process that runs the site's
 * server renders them into its configuration. Pure.
 */
import { mqttFilterSubjects } from './route-source.ts';

/** A listener devices connect to. */
export interface DeviceListener {
  readonly port: number;
  /** @default the site server's host */
  readonly host?: string;
  /** TLS (MQTT over TLS, or secure WebSocket): files on the machine running the site's server. @default plain */
  readonly tls?: DeviceTls;
}

/** A listener's TLS: its certificate and key, and the CA that client certificates must chain to when `verify`. */
export interface DeviceTls {
  /** PEM certificate (chain) file, absolute path. */
  readonly cert: string;
  /** PEM private key file, absolute path. */
  readonly key: string;
  /** PEM CA bundle client certificates are checked against, absolute path. */
  readonly ca?: string;
  /** Devices must present a certificate signed by `ca` (and still log in as a principal). @default false */
  readonly verify?: boolean;
  /** Devices log in by certificate: signed by `ca`, its subject naming a principal (nats-server's verify_and_map). @default false */
  readonly map?: boolean;
}

/**
 * How a device logs in — a user name and password, or a client certificate whose subject names
 * it — and the topics it may use (MQTT filters, allow-list).
 */
export interface DevicePrincipal {
  /** The MQTT user name; for a certificate principal, the certificate's subject (`CN=sensor-1,O=plant`). */
  readonly username: string;
  /** Plain text, or a bcrypt hash (`$2a$…`, from `nats server passwd`) that nats-server checks. Absent: the device logs in by certificate. */
  readonly password?: string;
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

export interface DeviceAccess {
  /** The instance id of the actor that declared it: told what the server refused. */
  readonly actor: string;
  /** MQTT 3.1.1 over TCP. */
  readonly mqtt?: DeviceListener;
  /** MQTT over WebSocket, at path /mqtt. */
  readonly websocket?: DeviceListener;
  readonly principals: readonly DevicePrincipal[];
}

/**
 * The NATS subjects a device may publish to with these MQTT topic filters (nats-server checks MQTT
 * permissions on the mapped subjects: `a/#` needs `a.>` and `a`).
 */
export function publishSubjects(filters: readonly string[]): string[] {
  return unique(filters.flatMap(mqttFilterSubjects));
}

/**
 * The NATS subjects a device may subscribe to with these filters, plus what nats-server's QoS 1
 * delivery needs (`$MQTT.sub.>`, the subjects of the session's own consumers). None: no subscribing.
 */
export function subscribeSubjects(filters: readonly string[]): string[] {
  return filters.length === 0 ? [] : unique([...filters.flatMap(mqttFilterSubjects), '$MQTT.sub.>']);
}

/**
 * The NATS subjects the hub may publish to devices on: what any principal may subscribe to
 * (nothing else could reach a device). Pure.
 */
export function downlinkSubjects(principals: readonly Pick<DevicePrincipal, 'subscribe'>[]): string[] {
  return unique(principals.flatMap((p) => p.subscribe.flatMap(mqttFilterSubjects)));
}

/** Why `topic` cannot be published to (a message to devices names one topic, no wildcards), or undefined. Pure. */
export function mqttTopicProblem(topic: string): string | undefined {
  if (topic === '') return 'the topic is empty';
  if (/[+#]/.test(topic)) return 'a message goes to one topic: no + or # wildcards';
  if (topic.split('/').some((level) => level === '')) return 'levels may not be empty: no leading, trailing or double /';
  if (/[.\s*>]/.test(topic)) return 'use no ".", "*", ">" or spaces in topics (nats-server maps topics to NATS subjects)';
  if (topic.startsWith('$')) return 'topics starting with $ are reserved for the server';
  return undefined;
}

/**
 * nats-server's MQTT message store: it keeps each QoS 1 and 2 MQTT publish under
 * `MQTT_STORE_PREFIX + <subject>` before the PUBACK, while a consumer (an MQTT route's, a QoS 1
 * subscription's) wants it (interest retention).
 */
export const MQTT_STORE_STREAM = '$MQTT_msgs';
/** What a publish's subject is prefixed with in MQTT_STORE_STREAM. */
export const MQTT_STORE_PREFIX = '$MQTT.msgs.';
/** The header nats-server marks a message published over MQTT with: its QoS (`0`, `1` or `2`). */
export const MQTT_QOS_HEADER = 'Nmqtt-Pub';

/** The user the site's own clients (nodes, the CLI) connect as without credentials once devices have principals. */
export const SITE_INTERNAL_USER = 'cairn-site';
/** The MQTT login the hub sends messages to devices with (it may publish only what devices may subscribe to). */
export const DOWNLINK_USER = 'cairn-downlink';

/** What the process running a site's server tells its hub: how to reach the MQTT listener to send devices messages. */
export interface DeviceLoginMsg {
  readonly type: 'device-login';
  /** `mqtt://host:port` (or `mqtts://` for a TLS listener) of the site's MQTT listener. */
  readonly url: string;
  /**
   * For a TLS listener: the CA to trust (its own certificate when it names none), and, when the
   * listener verifies clients, the certificate and key the hub presents (the listener's own).
   */
  readonly tls?: { readonly ca: string; readonly cert?: string; readonly key?: string };
  /** Absent when devices need no login (no principals). */
  readonly username?: string;
  readonly password?: string;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Something the site's nats-server refused a device, as its log says. */
export interface DeviceIncident {
  readonly kind: 'login-refused' | 'publish-denied' | 'subscribe-denied';
  /** The MQTT client id the device connected with. */
  readonly client: string;
  /** The NATS subject of the denied publish or subscription (MQTT topic a/b is subject a.b). */
  readonly subject?: string;
  /** The user name it tried, for a refused login (absent: it gave none). */
  readonly user?: string;
  /** Its remote address, host:port. */
  readonly address: string;
  /** When the server logged it (ms since the epoch). */
  readonly ts: number;
}

/** A device connected to the site's MQTT or MQTT-over-WebSocket listener. */
export interface DeviceClient {
  /** The MQTT client id. */
  readonly client: string;
  /** The principal it logged in as (absent without principals). */
  readonly user?: string;
  /** Its remote address, host:port. */
  readonly address: string;
  /** When it connected (ms since the epoch, the server's clock). */
  readonly since: number;
  /** The server's connection id: a device that reconnects has a new one. */
  readonly cid: number;
  /** When it disconnected (ms since the epoch, the server's clock): a closed connection only. */
  readonly until?: number;
}

/** The devices connected now, as the process running the site's server last saw them (it looks every second). */
export interface DeviceClientsMsg {
  readonly type: 'device-clients';
  readonly clients: readonly DeviceClient[];
  /**
   * Device connections that closed since the last list, with `until` (each told once): those that
   * came and went between two reads are seen through these.
   */
  readonly closed?: readonly DeviceClient[];
}

/** What the process running a site's server tells the actor whose DeviceAccess it serves, at most about once a second. */
export interface DeviceIncidentsMsg {
  readonly type: 'device-incidents';
  readonly items: readonly DeviceIncident[];
  /** Incidents of the same window left out of `items` (it holds at most 100). */
  readonly omitted: number;
}
