import type { DeviceClient } from '../../protocols/index.ts';

/** What the monitoring endpoint's `/connz` says of one connection (the fields read here). */
interface ConnzConnection {
  readonly cid?: number;
  readonly ip?: string;
  readonly port?: number;
  readonly start?: string;
  /** When it closed (closed connections only). */
  readonly stop?: string;
  readonly authorized_user?: string;
  readonly mqtt_client?: string;
}

/** The `/connz` query listing every open connection with its user (`auth`), up to `limit`. */
export function connzPath(limit: number, offset = 0): string {
  return `/connz?auth=true&limit=${limit}&offset=${offset}`;
}

/**
 * The `/connz` query listing the `limit` connections that closed last, newest first (the server
 * keeps the last 10,000 closed connections).
 */
export function closedConnzPath(limit: number): string {
  return `/connz?auth=true&state=closed&sort=stop&limit=${limit}`;
}

/**
 * Which closed device connections are news to the hub: each is told once (after the hub took it),
 * and those already closed at the first read (before this watch began) never are. Keyed by
 * connection id and start, since a restarted server numbers its connections from 1 again.
 */
export class ClosedDevices {
  private told: Set<string> | undefined;

  /** The devices of a read of the closed connections not told yet. */
  news(closed: readonly DeviceClient[]): DeviceClient[] {
    if (this.told === undefined) {
      this.told = new Set(closed.map(closedKey));
      return [];
    }
    return closed.filter((c) => !this.told!.has(closedKey(c)));
  }

  /** The hub took this read: its closed devices are told (those the server no longer lists are forgotten). */
  tookAll(closed: readonly DeviceClient[]): void {
    this.told = new Set(closed.map(closedKey));
  }
}

const closedKey = (c: DeviceClient): string => `${c.cid}@${c.since}`;

/**
 * The MQTT devices of a `/connz` answer (connections with an MQTT client id), oldest first; of a
 * closed connection, also when it closed (`until`).
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
      ...(c.stop ? { until: Date.parse(c.stop) } : {}),
      cid: c.cid ?? 0,
    }))
    .sort((a, b) => a.since - b.since || a.cid - b.cid);
}
