import { describe, expect, it } from 'vitest';
import { certificateSubject, downlinkLogin, parseDeviceIncident, reconfiguration, withDeviceAccess } from '../../../deploy/nats-server/index.ts';
import type { NatsServerConfig } from '../../../deploy/nats-server/index.ts';
import { publishSubjects, subscribeSubjects } from '../../../protocols/index.ts';
import type { DeviceAccess } from '../../../protocols/index.ts';

const base: NatsServerConfig = { server_name: 'edge1', host: '127.0.0.1', port: 4222, jetstream: { store_dir: '/x' } };
const hub = (over: Partial<DeviceAccess> = {}): DeviceAccess => ({ actor: 'hub', principals: [], ...over });

describe('device access subjects', () => {
  it('publish - each MQTT filter as the subjects nats-server checks (a/# also needs a)', () => {
    expect(publishSubjects(['plant/s1/#', 'plant/+/temp', 'plant/s1/#'])).toEqual(['plant.s1', 'plant.s1.>', 'plant.*.temp']);
  });
  it('subscribe - plus the QoS 1 delivery subjects; none: nothing at all', () => {
    expect(subscribeSubjects(['cmd/s1/#'])).toEqual(['cmd.s1', 'cmd.s1.>', '$MQTT.sub.>']);
    expect(subscribeSubjects([])).toEqual([]);
  });
});

describe('withDeviceAccess', () => {
  it('no hub - the base config, unchanged', () => {
    expect(withDeviceAccess(base, [], 'pw')).toEqual(base);
  });

  it('listeners only - MQTT and WebSocket on the site host; no users, so devices connect without a login', () => {
    const c = withDeviceAccess(base, [hub({ mqtt: { port: 1883 }, websocket: { port: 8080, host: '0.0.0.0' } })], 'pw');
    expect(c.mqtt).toEqual({ host: '127.0.0.1', port: 1883 });
    expect(c.websocket).toEqual({ host: '0.0.0.0', port: 8080, no_tls: true });
    expect(c.authorization).toBeUndefined();
    expect(c.no_auth_user).toBeUndefined();
  });

  it('principals - one MQTT-only user each with allow-lists, and the site user that credential-less NATS clients become', () => {
    const c = withDeviceAccess(base, [hub({ mqtt: { port: 1883 }, principals: [{ username: 's1', password: 'p1', publish: ['plant/s1/#'], subscribe: [] }] })], 'internal');
    expect(c.no_auth_user).toBe('cairn-site');
    expect(c.authorization?.users).toEqual([
      { user: 'cairn-site', password: 'internal', allowed_connection_types: ['STANDARD', 'WEBSOCKET'] },
      { user: 'cairn-downlink', password: 'internal', allowed_connection_types: ['MQTT'], permissions: { publish: { allow: ['_CAIRN_NOTHING'] }, subscribe: { allow: ['_CAIRN_NOTHING'] } } },
      { user: 's1', password: 'p1', allowed_connection_types: ['MQTT', 'MQTT_WS'], permissions: { publish: { allow: ['plant.s1', 'plant.s1.>'] }, subscribe: { allow: ['_CAIRN_NOTHING'] } } },
    ]);
  });

  it('tls - each listener gets its tls block (WebSocket without no_tls); the downlink goes over mqtts trusting the CA, with the listener certificate when clients are verified', () => {
    const tls = { cert: '/c/server.pem', key: '/c/server.key', ca: '/c/ca.pem', verify: true };
    const c = withDeviceAccess(base, [hub({ mqtt: { port: 8883, tls }, websocket: { port: 8443, tls: { cert: '/c/server.pem', key: '/c/server.key' } }, principals: [{ username: 'd', password: 'p', publish: [], subscribe: ['cmd/#'] }] })], 'pw');
    expect(c.mqtt).toEqual({ host: '127.0.0.1', port: 8883, tls: { cert_file: '/c/server.pem', key_file: '/c/server.key', ca_file: '/c/ca.pem', verify: true } });
    expect(c.websocket).toEqual({ host: '127.0.0.1', port: 8443, tls: { cert_file: '/c/server.pem', key_file: '/c/server.key' } });
    expect(downlinkLogin(c, 'pw')).toEqual({ type: 'device-login', url: 'mqtts://127.0.0.1:8883', username: 'cairn-downlink', password: 'pw', tls: { ca: '/c/ca.pem', cert: '/c/server.pem', key: '/c/server.key' } });
    const noVerify = withDeviceAccess(base, [hub({ mqtt: { port: 8883, tls: { cert: '/c/s.pem', key: '/c/s.key' } } })], 'pw');
    expect(downlinkLogin(noVerify, 'pw')).toEqual({ type: 'device-login', url: 'mqtts://127.0.0.1:8883', tls: { ca: '/c/s.pem' } });
  });

  it('certificate principals - users without passwords, verify_and_map on the listener, and the hub logs in as its listener certificate\u2019s subject', () => {
    const tls = { cert: '/c/server.pem', key: '/c/server.key', ca: '/c/ca.pem', map: true };
    const c = withDeviceAccess(base, [hub({ mqtt: { port: 8883, tls }, principals: [{ username: 'CN=s1', publish: ['plant/s1/#'], subscribe: ['cmd/s1/#'] }] })], 'pw', { downlinkSubject: 'CN=127.0.0.1' });
    expect(c.mqtt?.tls).toEqual({ cert_file: '/c/server.pem', key_file: '/c/server.key', ca_file: '/c/ca.pem', verify_and_map: true });
    const users = c.authorization!.users!;
    expect(users.find((u) => u.user === 'CN=s1')).toEqual({ user: 'CN=s1', allowed_connection_types: ['MQTT', 'MQTT_WS'], permissions: { publish: { allow: ['plant.s1', 'plant.s1.>'] }, subscribe: { allow: ['cmd.s1', 'cmd.s1.>', '$MQTT.sub.>'] } } });
    expect(users.find((u) => u.user === 'CN=127.0.0.1')).toMatchObject({ allowed_connection_types: ['MQTT'], permissions: { publish: { allow: ['cmd.s1', 'cmd.s1.>'] } } });
    expect(users.find((u) => u.user === 'CN=127.0.0.1')!.password).toBeUndefined();
    expect(downlinkLogin(c, 'pw')).toEqual({ type: 'device-login', url: 'mqtts://127.0.0.1:8883', tls: { ca: '/c/ca.pem', cert: '/c/server.pem', key: '/c/server.key' } });
    expect(certificateSubject('C=DE\nO=Plant\nCN=sensor-1')).toBe('CN=sensor-1,O=Plant,C=DE');
  });

  it('two apps - the first listener wins and all principals are users (the control plane keeps them apart)', () => {
    const c = withDeviceAccess(base, [hub({ mqtt: { port: 1883 }, principals: [{ username: 'a', password: 'x', publish: ['a/#'], subscribe: [] }] }), hub({ actor: 'hub2', principals: [{ username: 'b', password: 'y', publish: ['b/#'], subscribe: [] }] })], 'pw');
    expect(c.mqtt?.port).toBe(1883);
    expect(c.authorization?.users?.map((u) => u.user)).toEqual(['cairn-site', 'cairn-downlink', 'a', 'b']);
  });
});

describe('withDeviceAccess on an edge', () => {
  it('leaf remotes deny exporting what devices may publish, beside what they denied already', () => {
    const edge: NatsServerConfig = { ...base, leafnodes: { remotes: [{ urls: ['nats-leaf://cloud:7422'], deny_exports: ['secret.>'] }] } };
    const c = withDeviceAccess(edge, [hub({ principals: [{ username: 's1', password: 'p', publish: ['plant/s1/#'], subscribe: [] }] })], 'pw');
    expect(c.leafnodes?.remotes?.[0]?.deny_exports).toEqual(['secret.>', 'plant.s1', 'plant.s1.>']);
    expect(withDeviceAccess(edge, [hub({ mqtt: { port: 1883 } })], 'pw').leafnodes).toEqual(edge.leafnodes);
  });
});

describe('downlinkLogin', () => {
  it('the MQTT listener on this machine, with the downlink login once there are principals; none without a listener', () => {
    const open = withDeviceAccess({ ...base, host: '0.0.0.0' }, [hub({ mqtt: { port: 1883 } })], 'pw');
    expect(downlinkLogin(open, 'pw')).toEqual({ type: 'device-login', url: 'mqtt://127.0.0.1:1883' });
    const closed = withDeviceAccess(base, [hub({ mqtt: { port: 1884 }, principals: [{ username: 's1', password: 'p', publish: [], subscribe: ['cmd/s1/#'] }] })], 'pw');
    expect(downlinkLogin(closed, 'pw')).toEqual({ type: 'device-login', url: 'mqtt://127.0.0.1:1884', username: 'cairn-downlink', password: 'pw' });
    expect(closed.authorization?.users?.[1]?.permissions?.publish).toEqual({ allow: ['cmd.s1', 'cmd.s1.>'] });
    expect(downlinkLogin(base, 'pw')).toBeUndefined();
  });
});

describe('reconfiguration', () => {
  const withUsers = withDeviceAccess(base, [hub({ mqtt: { port: 1883 }, principals: [{ username: 'a', password: 'x', publish: ['a/#'], subscribe: [] }] })], 'pw');
  it('the same config - nothing', () => expect(reconfiguration(withUsers, structuredClone(withUsers))).toBe('none'));
  it('users changed - a reload', () => {
    const next = withDeviceAccess(base, [hub({ mqtt: { port: 1883 }, principals: [{ username: 'b', password: 'x', publish: ['a/#'], subscribe: [] }] })], 'pw');
    expect(reconfiguration(withUsers, next)).toBe('reload');
  });
  it('a listener or no_auth_user changed - a restart (nats-server cannot reload them)', () => {
    expect(reconfiguration(base, withDeviceAccess(base, [hub({ mqtt: { port: 1883 } })], 'pw'))).toBe('restart');
    expect(reconfiguration(withDeviceAccess(base, [hub({ mqtt: { port: 1883 } })], 'pw'), withUsers)).toBe('restart');
  });
});

describe('parseDeviceIncident', () => {
  it('a refused login, with the user tried; one without credentials has none', () => {
    expect(parseDeviceIncident('[1512] 2026/12/02 01:01:09.480756 [ERR] 127.0.0.1:35708 - mid:7 - "b" - authentication error - User "dev1"')).toEqual({ kind: 'login-refused', client: 'b', address: '127.0.0.1:35708', user: 'dev1', ts: Date.UTC(2026, 11, 2, 1, 1, 9, 480) });
    expect(parseDeviceIncident('[1512] 2026/12/02 01:01:09.469117 [ERR] 127.0.0.1:35704 - mid:6 - "a" - authentication error - User "cairn-site"')).toMatchObject({ kind: 'login-refused', client: 'a' });
    expect(parseDeviceIncident('[1512] 2026/12/02 01:01:09.469117 [ERR] 127.0.0.1:35704 - mid:6 - "a" - authentication error - User "cairn-site"')).not.toHaveProperty('user');
  });
  it('denied publishes and subscriptions, with the subject', () => {
    expect(parseDeviceIncident('[1512] 2026/12/02 01:01:09.533285 [ERR] 127.0.0.1:35718 - mid:9 - "dev1" - Publish Violation - Subject "sensors.dev2.t"')).toMatchObject({ kind: 'publish-denied', client: 'dev1', subject: 'sensors.dev2.t' });
    expect(parseDeviceIncident('[1512] 2026/12/02 01:01:09.541527 [ERR] 127.0.0.1:35718 - mid:9 - "dev1" - Subscription Violation - Subject "cmd.dev2.>", SID cmd.dev2.>')).toMatchObject({ kind: 'subscribe-denied', subject: 'cmd.dev2.>' });
  });
  it('anything else - nothing (NATS clients, other errors, info lines)', () => {
    expect(parseDeviceIncident('[1512] 2026/12/02 01:01:09.533285 [ERR] 127.0.0.1:35718 - cid:9 - "dev1" - Publish Violation - Subject "x"')).toBeUndefined();
    expect(parseDeviceIncident('[1512] 2026/12/02 01:01:09.339912 [INF] Listening for MQTT clients on mqtt://127.0.0.1:22621')).toBeUndefined();
  });
});
