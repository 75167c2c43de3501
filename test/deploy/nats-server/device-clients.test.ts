import { describe, expect, it } from 'vitest';
import { connzPath, deviceClientsOf } from '../../../deploy/nats-server/index.ts';
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
    expect(deviceClientChanges([a, b], [b, a2])).toEqual({ connected: [a2], disconnected: [a] });
    expect(deviceClientChanges([a], [a])).toEqual({ connected: [], disconnected: [] });
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
