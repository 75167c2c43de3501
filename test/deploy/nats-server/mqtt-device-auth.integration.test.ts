// What the hub relies on, checked on the pinned nats-server with a real MQTT client: principals as
// top-level users limited to MQTT connections, the site's own clients as the no_auth_user, and what
// the server does (and logs) with a login or a topic it refuses.
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectAsync } from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, parseDeviceIncident, withDeviceAccess } from '../../../deploy/nats-server/index.ts';
import type { DeviceIncident } from '../../../protocols/index.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TestServer } from '../../helpers/nats.ts';

let server: TestServer;
let mqttUrl: string;
let wsUrl: string;
const incidents: DeviceIncident[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  const [mqttPort, wsPort] = await freePorts(2);
  mqttUrl = `mqtt://127.0.0.1:${mqttPort!}`;
  wsUrl = `ws://127.0.0.1:${wsPort!}/mqtt`;
  const access = withDeviceAccess({}, [{ actor: 'hub', mqtt: { port: mqttPort!, host: '127.0.0.1' }, websocket: { port: wsPort!, host: '127.0.0.1' }, principals: [{ username: 'dev1', password: 'pw1', publish: ['sensors/dev1/#'], subscribe: ['cmd/dev1/#'] }] }], 'internal-secret');
  server = await startTestServer({ extra: access, onLog: (line) => void (parseDeviceIncident(line) && incidents.push(parseDeviceIncident(line)!)) });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  await server?.cleanup();
});

const mqtt = async (clientId: string, opts: IClientOptions = {}): Promise<MqttClient> => {
  const c = await connectAsync(mqttUrl, { clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
  clients.push(c);
  return c;
};
const outcome = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (err: Error) => err.message);

describe('MQTT device logins on the pinned nats-server', () => {
  it('logins - a NATS client without credentials is the site user; an MQTT device needs its own login; the site user cannot log in over MQTT', async () => {
    const nc = await connect({ servers: server.url });
    await nc.close();
    expect(await outcome(mqtt('anon'))).toMatch(/Not authorized/);
    expect(await outcome(mqtt('wrong', { username: 'dev1', password: 'nope' }))).toMatch(/Not authorized/);
    expect(await outcome(mqtt('site', { username: 'cairn-site', password: 'internal-secret' }))).toMatch(/Not authorized/);
    expect(await outcome(mqtt('dev1', { username: 'dev1', password: 'pw1' }))).toBe('ok');
    await expect.poll(() => incidents.filter((i) => i.kind === 'login-refused').map((i) => i.client)).toEqual(['anon', 'wrong', 'site']);
  });

  it('topics - a QoS 1 publish is captured by a covering stream; one outside the permissions is acknowledged all the same, never captured, and logged', async () => {
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'CAPTURE', subjects: ['sensors.>'] });
    const dev = await mqtt('dev1-topics', { username: 'dev1', password: 'pw1' });
    // The server stores into a covering stream asynchronously (a stream's inbound queue since
    // 2.10): the PUBACK may come before the store, so a killed server can lose the last ones.
    for (let i = 0; i < 20; i++) await dev.publishAsync('sensors/dev1/temp', String(i), { qos: 1 });
    expect(await outcome(dev.publishAsync('sensors/dev2/temp', 'forged', { qos: 1 }))).toBe('ok');
    await dev.publishAsync('sensors/dev1/temp', 'last', { qos: 1 });
    await expect.poll(async () => (await jsm.streams.info('CAPTURE')).state.messages).toBe(21);
    await expect.poll(() => incidents.filter((i) => i.kind === 'publish-denied').map((i) => i.subject)).toEqual(['sensors.dev2.temp']);
    await nc.close();
  });

  it('subscriptions - within the permissions granted at QoS 1 (a/# needs a and a.>); outside refused and logged', async () => {
    const dev = await mqtt('dev1-subs', { username: 'dev1', password: 'pw1' });
    expect((await dev.subscribeAsync('cmd/dev1/#', { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    expect(await outcome(dev.subscribeAsync('cmd/dev2/#', { qos: 1 }))).toMatch(/Subscribe error/);
    await expect.poll(() => incidents.filter((i) => i.kind === 'subscribe-denied').map((i) => i.subject)).toEqual(['cmd.dev2.>']);
  });

  it('websocket - a principal logs in over MQTT-over-WebSocket too, with the same topics; a wrong password is refused', async () => {
    const nc = await connect({ servers: server.url });
    const got: string[] = [];
    nc.subscribe('sensors.>', { callback: (_e, m) => void got.push(`${m.subject}=${m.string()}`) });
    await nc.flush();
    const ws = await connectAsync(wsUrl, { clientId: 'dev1-ws', username: 'dev1', password: 'pw1', protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000 });
    clients.push(ws);
    await ws.publishAsync('sensors/dev1/ws', 'over-ws', { qos: 1 });
    await expect.poll(() => got).toEqual(['sensors.dev1.ws=over-ws']);
    expect(await outcome(connectAsync(wsUrl, { clientId: 'dev1-ws-bad', username: 'dev1', password: 'nope', protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000 }))).toMatch(/Not authorized/);
    await nc.close();
  });
});
