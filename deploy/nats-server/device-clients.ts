import type { DeviceClient } from '../../protocols/index.ts';

/** What the monitoring endpoint's `/connz` says of one connection (the fields read here). */
interface ConnzConnection {
  readonly cid?: number;
  readonly ip?: string;
  readonly port?: number;
  readonly start?: string;
  readonly authorized_user?: string;
  readonly mqtt_client?: string;
}

/** The `/connz` query listing every open connection with its user (`auth`), up to `limit`. */
export function connzPath(limit: number, offset = 0): string {
  return `/connz?auth=true&limit=${limit}&offset=${offset}`;
}

/**
 * The MQTT devices of a `/connz` answer (connections with an MQTT client id), oldest first.
 * The site's own MQTT login (the hub's downlink) is not a device. Pure.
 */
export function deviceClientsOf(connz: unknown, notDevices: readonly string[]): DeviceClient[] {
  const conns = ((connz as { connections?: unknown })?.connections ?? []) as readonly ConnzConnection[];
  if (!Array.isArray(conns)) return [];
  return conns
    .filter((c) => typeof c.mqtt_client === 'string' && c.mqtt_client !== '' && !(c.authorized_user !== undefined && notDevices.includes(c.authorized_user)))
    .map((c) => ({
      client: c.mqtt_client!,
      ...(c.authorized_user ? { user: c.authorized_user } : {}),
      address: `${c.ip ?? '?'}:${c.port ?? 0}`,
      since: c.start ? Date.parse(c.start) : 0,
      cid: c.cid ?? 0,
    }))
    .sort((a, b) => a.since - b.since || a.cid - b.cid);
}
