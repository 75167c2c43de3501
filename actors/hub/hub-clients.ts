import type { DeviceClient } from '../../protocols/index.ts';

/**
 * What changed between two lists of connected devices, by connection id (a reconnect is a new
 * connection), given the connections that closed since (`closed`): `brief` are those that came and
 * went between the two lists (in neither), oldest first. Pure.
 */
export function deviceClientChanges(before: readonly DeviceClient[], now: readonly DeviceClient[], closed: readonly DeviceClient[] = []): { connected: DeviceClient[]; disconnected: DeviceClient[]; brief: DeviceClient[] } {
  const was = new Set(before.map((c) => c.cid));
  const is = new Set(now.map((c) => c.cid));
  const brief = closed.filter((c) => !was.has(c.cid) && !is.has(c.cid)).sort((a, b) => a.since - b.since || a.cid - b.cid);
  return { connected: now.filter((c) => !was.has(c.cid)), disconnected: before.filter((c) => !is.has(c.cid)), brief };
}

/** What the hub publishes when a device connects or disconnects (JSON, on `<events.subject>.<event>.<client>`). */
export interface DeviceEvent {
  readonly event: 'connected' | 'disconnected';
  readonly client: string;
  readonly user?: string;
  readonly address: string;
  /** When it connected (ms since the epoch). */
  readonly since: number;
  /** When it disconnected, by the server's clock (a disconnect the server still listed when the hub looked). */
  readonly until?: number;
  /** When the hub saw the change (ms since the epoch). */
  readonly at: number;
}

/** The subject of a device event: the client id as one subject token (characters a subject cannot hold become `_`). Pure. */
export function deviceEventSubject(prefix: string, event: DeviceEvent['event'], client: string): string {
  return `${prefix}.${event}.${client.replace(/[^A-Za-z0-9_-]/g, '_') || '_'}`;
}
