import type { DeviceClient } from '../../protocols/index.ts';

/** What changed between two lists of connected devices, by connection id (a reconnect is a new connection). Pure. */
export function deviceClientChanges(before: readonly DeviceClient[], now: readonly DeviceClient[]): { connected: DeviceClient[]; disconnected: DeviceClient[] } {
  const was = new Set(before.map((c) => c.cid));
  const is = new Set(now.map((c) => c.cid));
  return { connected: now.filter((c) => !was.has(c.cid)), disconnected: before.filter((c) => !is.has(c.cid)) };
}

/** What the hub publishes when a device connects or disconnects (JSON, on `<events.subject>.<event>.<client>`). */
export interface DeviceEvent {
  readonly event: 'connected' | 'disconnected';
  readonly client: string;
  readonly user?: string;
  readonly address: string;
  /** When it connected (ms since the epoch). */
  readonly since: number;
  /** When the hub saw the change (ms since the epoch). */
  readonly at: number;
}

/** The subject of a device event: the client id as one subject token (characters a subject cannot hold become `_`). Pure. */
export function deviceEventSubject(prefix: string, event: DeviceEvent['event'], client: string): string {
  return `${prefix}.${event}.${client.replace(/[^A-Za-z0-9_-]/g, '_') || '_'}`;
}
