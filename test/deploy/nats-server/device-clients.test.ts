import { describe, expect, it } from 'vitest';
import { ClosedDevices, closedConnzPath, connzPath, deviceClientsOf } from '../../../deploy/nats-server/index.ts';
import { deviceClientChanges, deviceEventSubject } from '../../../actors/index.ts';
import { formatDeviceClients } from '../../../deploy/cli/index.ts';

// Shaped as nats-server 2.15.2 answers /connz?auth=true (fields not read here left out).
const CONNZ = {
  total: 3,
  limit: 1024,
  connections: [
    { cid: 9, kind: 'Client', type: 'mqtt', ip: '127.0.0.1', port: 40102, start: '2026-12-02T04:30:02.5Z', authorized_user: 'dev', mqtt_client: 's-2' },
    { cid: 4, kind: 'Client', type: 'nats', ip: '127.0.0.1', port: 40001, start: '2026-12-02T04:29:00Z', authorized_user: 'cairn-site', name: 'cairn-node' },
    { cid: 7, kind: 'Client', type: 'mqtt', ip: '127.0.0.1', port: 40100, start: '2026-12-02T04:30:01Z', mqtt_client: 's-1' },
    { cid: 8, kind: 'Client', type: 'mqtt', ip: '127.0.0.1', port: 40101, start: '2026-12-02T04:30:00Z', authorized_user: 'cairn-downlink', mqtt_client: 'cairn-hub-local-hub' },
  ],
};

describe('device clients', () => {
  it('connz - the MQTT clients are the devices, oldest first, with their user; NATS clients and the hub downlink are not', () => {
    expect(deviceClientsOf(CONNZ, ['cairn-downlink'])).toEqual([
      { client: 's-1', address: '127.0.0.1:40100', since: Date.parse('2026-12-02T04:30:01Z'), cid: 7 },
      { client: 's-2', user: 'dev', address: '127.0.0.1:40102', since: Date.parse('2026-12-02T04:30:02.5Z'), cid: 9 },
    ]);
    expect(deviceClientsOf({}, [])).toEqual([]);
    expect(connzPath(1024, 2048)).toBe('/connz?auth=true&limit=1024&offset=2048');
  });

  it('changes - by connection id: a device that reconnects disconnected once and connected again', () => {
    const a = { client: 's-1', address: '127.0.0.1:1', since: 1, cid: 1 };
    const b = { client: 's-2', address: '127.0.0.1:2', since: 2, cid: 2 };
    const a2 = { ...a, cid: 3, since: 3 };
    expect(deviceClientChanges([a, b], [b, a2])).toEqual({ connected: [a2], disconnected: [a], brief: [] });
    expect(deviceClientChanges([a], [a])).toEqual({ connected: [], disconnected: [], brief: [] });
  });

  it('changes - a connection that closed between two lists and was in neither came and went (brief); one in a list is not', () => {
    const a = { client: 's-1', address: '127.0.0.1:1', since: 1, cid: 1 };
    const gone = { ...a, until: 5 };
    const flash2 = { client: 's-2', address: '127.0.0.1:2', since: 3, cid: 3, until: 4 };
    const flash1 = { client: 's-3', address: '127.0.0.1:3', since: 2, cid: 2, until: 6 };
    expect(deviceClientChanges([a], [], [gone, flash2, flash1])).toEqual({ connected: [], disconnected: [a], brief: [flash1, flash2] });
    // Closed after the open list was read: still connected for now, it leaves with the next list.
    expect(deviceClientChanges([], [a], [gone]).brief).toEqual([]);
  });

  it('closed connections - read newest first; each is news once, after the hub took it; those closed before the first read never are', () => {
    expect(closedConnzPath(1024)).toBe('/connz?auth=true&state=closed&sort=stop&limit=1024');
    const closedConnz = { connections: [{ cid: 12, ip: '127.0.0.1', port: 40200, start: '2026-12-02T04:31:00Z', stop: '2026-12-02T04:31:00.4Z', authorized_user: 'dev', mqtt_client: 's-9' }] };
    const [s9] = deviceClientsOf(closedConnz, []);
    expect(s9).toEqual({ client: 's-9', user: 'dev', address: '127.0.0.1:40200', since: Date.parse('2026-12-02T04:31:00Z'), until: Date.parse('2026-12-02T04:31:00.4Z'), cid: 12 });
    const old = { client: 'old', address: '127.0.0.1:1', since: 1, until: 2, cid: 1 };
    const watch = new ClosedDevices();
    expect(watch.news([old])).toEqual([]); // before this watch began
    expect(watch.news([s9!, old])).toEqual([s9]);
    expect(watch.news([s9!, old])).toEqual([s9]); // not taken yet: news again
    watch.tookAll([s9!, old]);
    expect(watch.news([s9!, old])).toEqual([]);
    // A restarted server numbers from 1 again: the same id with another start is another connection.
    const again = { ...old, since: 10, until: 11 };
    expect(watch.news([again])).toEqual([again]);
  });

  it('event subject - the client id becomes one subject token', () => {
    expect(deviceEventSubject('devices', 'connected', 's-1')).toBe('devices.connected.s-1');
    expect(deviceEventSubject('plant.dev', 'disconnected', 'a.b c/*>')).toBe('plant.dev.disconnected.a_b_c___');
    expect(deviceEventSubject('d', 'connected', '')).toBe('d.connected._');
  });

  it('cairn hub clients - a table of client, user, address and how long connected', () => {
    const lines = formatDeviceClients([{ client: 's-1', address: '127.0.0.1:40100', since: 1_000, cid: 7 }, { client: 's-2', user: 'dev', address: '127.0.0.1:40102', since: 61_000, cid: 9 }], 66_000);
    expect(lines).toEqual(['CLIENT  USER  ADDRESS          CONNECTED', 's-1     -     127.0.0.1:40100      1m05s', 's-2     dev   127.0.0.1:40102         5s']);
  });
});
