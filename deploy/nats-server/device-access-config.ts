import { DOWNLINK_USER, SITE_INTERNAL_USER, downlinkSubjects, publishSubjects, subscribeSubjects } from '../../protocols/index.ts';
import type { DeviceAccess, DeviceLoginMsg, DeviceTls } from '../../protocols/index.ts';
import type { NatsServerConfig, NatsTlsConfig, NatsUser } from './nats-server-config.ts';

/**
 * A site's server configuration with what its applications' hubs need for devices: their MQTT
 * and WebSocket listeners (over the site's own, when given), and, once any principal exists, one
 * user per principal (MQTT connections only, allow-listed subjects) beside the user the site's
 * own clients become without credentials (`no_auth_user`; NATS and WebSocket connections only, so
 * a device without a login is refused); leaf remotes deny exporting what devices may publish.
 * `entries` come in app order; the control plane keeps them free of conflicts. Pure.
 */
export function withDeviceAccess(base: NatsServerConfig, entries: readonly DeviceAccess[], internalPassword: string, opts: { readonly downlinkSubject?: string } = {}): NatsServerConfig {
  const mqtt = entries.find((e) => e.mqtt)?.mqtt;
  const websocket = entries.find((e) => e.websocket)?.websocket;
  const principals = entries.flatMap((e) => e.principals);
  const config: NatsServerConfig = { ...base };
  if (mqtt) {
    const { tls: _baseTls, ...baseMqtt } = base.mqtt ?? {};
    config.mqtt = { ...baseMqtt, host: mqtt.host ?? base.host ?? '0.0.0.0', port: mqtt.port, ...(mqtt.tls ? { tls: tlsBlock(mqtt.tls) } : {}) };
  }
  if (websocket) {
    const { tls: _baseTls, no_tls: _noTls, ...baseWs } = base.websocket ?? {};
    config.websocket = { ...baseWs, host: websocket.host ?? base.host ?? '0.0.0.0', port: websocket.port, ...(websocket.tls ? { tls: tlsBlock(websocket.tls) } : { no_tls: true }) };
  }
  // Raw device traffic stays on its site: what devices may publish is never sent over a leaf link
  // (data for the cloud goes through actors). Without principals there is no list to keep back.
  const deviceSubjects = publishSubjects(principals.flatMap((p) => p.publish));
  if (deviceSubjects.length > 0 && base.leafnodes?.remotes) {
    config.leafnodes = { ...base.leafnodes, remotes: base.leafnodes.remotes.map((r) => ({ ...r, deny_exports: [...new Set([...(r.deny_exports ?? []), ...deviceSubjects])] })) };
  }
  if (principals.length === 0) return config;
  const devices: NatsUser[] = principals.map((p) => ({
    user: p.username,
    // None: the user a device's certificate maps to (the listener's tls.map).
    ...(p.password === undefined ? {} : { password: p.password }),
    allowed_connection_types: ['MQTT', 'MQTT_WS'],
    // Allow-lists only: an empty one allows nothing (a deny list can be bypassed on some servers).
    permissions: { publish: { allow: orNothing(publishSubjects(p.publish)) }, subscribe: { allow: orNothing(subscribeSubjects(p.subscribe)) } },
  }));
  // The hub sends devices messages over MQTT (QoS 1 reaches offline persistent sessions only that
  // way), as a user that may publish only what some device may subscribe to.
  // On a listener that maps certificates to users, the hub logs in by the listener's own certificate.
  const mapped = mqtt?.tls?.map === true && opts.downlinkSubject !== undefined;
  const downlink: NatsUser = {
    user: mapped ? opts.downlinkSubject! : DOWNLINK_USER,
    ...(mapped ? {} : { password: internalPassword }),
    allowed_connection_types: ['MQTT'],
    permissions: { publish: { allow: orNothing(downlinkSubjects(principals)) }, subscribe: { allow: [NOTHING] } },
  };
  config.no_auth_user = SITE_INTERNAL_USER;
  config.authorization = { ...base.authorization, users: [...(base.authorization?.users ?? []), { user: SITE_INTERNAL_USER, password: internalPassword, allowed_connection_types: ['STANDARD', 'WEBSOCKET'] }, downlink, ...devices] };
  return config;
}

/**
 * A certificate subject as nats-server matches user names against it (RFC 2253 order: the most
 * specific first), from node's X509Certificate.subject (one attribute per line, most general first). Pure.
 */
export function certificateSubject(x509Subject: string): string {
  return x509Subject.split('\n').filter((l) => l !== '').reverse().join(',');
}

/** A hub listener's TLS as nats-server's `tls { }` block. */
function tlsBlock(tls: DeviceTls): NatsTlsConfig {
  return { cert_file: tls.cert, key_file: tls.key, ...(tls.ca === undefined ? {} : { ca_file: tls.ca }), ...(tls.map ? { verify_and_map: true } : tls.verify ? { verify: true } : {}) };
}

/**
 * How the hub reaches `config`'s MQTT listener to send devices messages: its URL on this machine,
 * and the downlink login once devices have principals. Undefined without an MQTT listener. Pure.
 */
export function downlinkLogin(config: NatsServerConfig, internalPassword: string): DeviceLoginMsg | undefined {
  if (!config.mqtt) return undefined;
  const host = config.mqtt.host === undefined || ['0.0.0.0', '::', '[::]', ''].includes(config.mqtt.host) ? '127.0.0.1' : config.mqtt.host;
  const tls = config.mqtt.tls;
  // A listener that maps certificates logs the hub in by its certificate, not a password.
  const withAuth = !tls?.verify_and_map && config.authorization?.users?.some((u) => u.user === DOWNLINK_USER) === true;
  // Over TLS the hub trusts the listener's CA (its own certificate when it names none) and, when the
  // listener verifies clients, presents the listener's own certificate.
  const login = tls?.cert_file ? { ca: tls.ca_file ?? tls.cert_file, ...(tls.verify || tls.verify_and_map ? { cert: tls.cert_file, key: tls.key_file! } : {}) } : undefined;
  return {
    type: 'device-login',
    url: `${login ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${config.mqtt.port}`,
    ...(withAuth ? { username: DOWNLINK_USER, password: internalPassword } : {}),
    ...(login ? { tls: login } : {}),
  };
}

/** A subject no device can use: nats-server reads an empty allow list as "everything". */
const NOTHING = '_CAIRN_NOTHING';
function orNothing(subjects: readonly string[]): readonly string[] {
  return subjects.length === 0 ? [NOTHING] : subjects;
}

/**
 * How a running server takes `next` over `current`: nothing to do; a reload (SIGHUP: users and
 * their permissions); or a restart (listeners and `no_auth_user`, which nats-server cannot
 * reload). Pure.
 */
export function reconfiguration(current: NatsServerConfig, next: NatsServerConfig): 'none' | 'reload' | 'restart' {
  if (JSON.stringify(current) === JSON.stringify(next)) return 'none';
  const { authorization: _a, ...restCurrent } = current;
  const { authorization: _b, ...restNext } = next;
  return JSON.stringify(restCurrent) === JSON.stringify(restNext) ? 'reload' : 'restart';
}
