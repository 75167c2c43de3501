// The best-effort subscription tells QoS 1 and 2 device publishes (the MQTT store's) from QoS 0 and
// plain NATS publishes by the first header line nats-server writes, read without decoding the
// headers: checked on messages the pinned server delivers, from real MQTT clients and NATS ones.
import { connect, headers } from '@nats-io/transport-node';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { mqttOnlyHeaders, mqttPublishQos } from '../../control-plane/mqtt-publish-qos.ts';
import { headersOf } from '../../control-plane/route-forwarder.ts';
import { freePorts, withDeviceAccess } from '../../deploy/nats-server/index.ts';
import { startTestServer } from '../helpers/nats.ts';
import type { TestServer } from '../helpers/nats.ts';

let server: TestServer;
let nc: NatsConnection;
let device: MqttClient;

beforeAll(async () => {
  const [mqttPort] = await freePorts(1);
  server = await startTestServer({ extra: withDeviceAccess({}, [{ actor: 'hub', mqtt: { port: mqttPort!, host: '127.0.0.1' }, principals: [{ username: 'dev', password: 'pw', publish: ['plant/#'], subscribe: [] }] }], 'secret') });
  nc = await connect({ servers: server.url });
  device = await connectAsync(`mqtt://127.0.0.1:${mqttPort!}`, { clientId: 'd1', protocolVersion: 4, reconnectPeriod: 0, username: 'dev', password: 'pw' });
});
afterAll(async () => {
  await device?.endAsync(true);
  await nc?.close();
  await server?.cleanup();
});

/** The QoS read from each message the subscription gets, in order, for `count` messages. */
async function qosOfNext(count: number, publish: () => Promise<void>): Promise<{ qos: (number | undefined)[]; decoded: boolean[] }> {
  const sub = nc.subscribe('plant.>', { max: count });
  await nc.flush();
  const seen: Msg[] = [];
  const done = (async () => {
    for await (const m of sub) seen.push(m);
  })();
  await publish();
  await done;
  const qos = seen.map(mqttPublishQos);
  // Whether reading it decoded the headers (nats-core's MsgImpl keeps them in _headers once decoded).
  return { qos, decoded: seen.map((m) => (m as unknown as { _headers?: unknown })._headers !== undefined) };
}

describe('mqttPublishQos', () => {
  it('mqttPublishQos - reads the QoS of device publishes at QoS 0, 1 and 2 from the raw header', async () => {
    const { qos, decoded } = await qosOfNext(3, async () => {
      for (const q of [0, 1, 2] as const) await device.publishAsync('plant/p1/kwh', `q${q}`, { qos: q });
    });
    expect(qos).toEqual([0, 1, 2]);
    // Read from the raw bytes: if the NATS client stops exposing them, this fails (and the fallback still answers).
    expect(decoded).toEqual([false, false, false]);
  });

  it('mqttPublishQos - a NATS publish is none; its headers are asked when Nmqtt-Pub is not their first line', async () => {
    const first = headers();
    first.set('Nmqtt-Pub', '1');
    const later = headers();
    later.set('trace', 'x');
    later.set('Nmqtt-Pub', '2');
    const other = headers();
    other.set('trace', 'x');
    const { qos } = await qosOfNext(4, async () => {
      nc.publish('plant.p1.kwh', 'plain');
      nc.publish('plant.p1.kwh', 'first', { headers: first });
      nc.publish('plant.p1.kwh', 'later', { headers: later });
      nc.publish('plant.p1.kwh', 'other', { headers: other });
    });
    expect(qos).toEqual([undefined, 1, 2, undefined]);
  });

  it('mqttOnlyHeaders - a device publish read from the MQTT store has only its QoS line, read from the raw bytes as the client would decode it', async () => {
    const consumer = await jetstream(nc).consumers.get('$MQTT_msgs', { filter_subjects: ['$MQTT.msgs.plant.p2.>'] });
    await device.publishAsync('plant/p2/kwh', 'stored', { qos: 1 });
    const m = await consumer.next({ expires: 5_000 });
    expect(m?.string()).toBe('stored');
    const msg = (m as unknown as { msg: Msg }).msg;
    const fast = mqttOnlyHeaders(msg);
    expect(fast).toEqual({ 'Nmqtt-Pub': '1' });
    // Read without decoding; then the client's decoding says the same.
    expect((msg as unknown as { _headers?: unknown })._headers).toBeUndefined();
    expect(headersOf(m!)).toEqual(fast);
  });

  it('mqttOnlyHeaders - a message with other headers, or none, or made by hand, is left to the client to decode', async () => {
    const more = headers();
    more.set('Nmqtt-Pub', '1');
    more.set('trace', 'x');
    const sub = nc.subscribe('plant.p3.>', { max: 2 });
    const seen: Msg[] = [];
    const done = (async () => {
      for await (const m of sub) seen.push(m);
    })();
    nc.publish('plant.p3.kwh', 'more', { headers: more });
    nc.publish('plant.p3.kwh', 'plain');
    await done;
    expect(seen.map(mqttOnlyHeaders)).toEqual([undefined, undefined]);
    const h = headers();
    h.set('Nmqtt-Pub', '1');
    expect(mqttOnlyHeaders({ headers: h } as unknown as Msg)).toBeUndefined();
  });

  it('mqttPublishQos - a message made by hand (no raw bytes) is read from its decoded headers', () => {
    const h = headers();
    h.set('Nmqtt-Pub', '1');
    expect(mqttPublishQos({ headers: h } as unknown as Msg)).toBe(1);
    expect(mqttPublishQos({} as unknown as Msg)).toBeUndefined();
  });
});
