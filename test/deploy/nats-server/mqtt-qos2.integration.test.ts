import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { connectAsync } from 'mqtt';
import type { MqttClient, IPublishPacket } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeSiteConfig, freePorts, startNatsServer } from '../../../deploy/nats-server/index.ts';
import type { RunningNatsServer } from '../../../deploy/nats-server/index.ts';

// Devices talk MQTT to the edge that serves them, through the MQTT listener of the edge's own
// nats-server as `cairn site init` writes it (edgeSiteConfig with `mqtt`). QoS 2 (exactly once)
// needs nats-server 2.10+; 2.9.10 served QoS 0 and 1 only.
describe('MQTT on an edge site', () => {
  let dir: string;
  let edge: RunningNatsServer;
  let mqttUrl: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-mqtt-'));
    const [port, mqttPort, deadCloud] = await freePorts(3);
    // The edge serves its devices whether or not its cloud is reachable (here it is not).
    edge = await startNatsServer({
      config: edgeSiteConfig({ name: 'edge1', host: '127.0.0.1', port: port!, storeDir: join(dir, 'js'), cloud: { urls: [`nats-leaf://127.0.0.1:${deadCloud!}`] }, mqtt: { port: mqttPort! } }),
      dir,
    });
    mqttUrl = `mqtt://127.0.0.1:${mqttPort!}`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await edge?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const device = async (clientId: string): Promise<MqttClient> => {
    const c = await connectAsync(mqttUrl, { clientId, protocolVersion: 4, clean: true, reconnectPeriod: 0 });
    clients.push(c);
    return c;
  };

  it('MQTT QoS 2 - a subscription is granted QoS 2, and each QoS 2 publish reaches it exactly once, in order, and reaches NATS subscribers too', async () => {
    const subscriber = await device('dashboard');
    const granted = await subscriber.subscribeAsync('sensors/+/temp', { qos: 2 });
    expect(granted.map((g) => g.qos)).toEqual([2]);
    const received: IPublishPacket[] = [];
    subscriber.on('message', (_topic, _payload, packet) => received.push(packet));
    // The same readings as NATS messages: topic a/b is subject a.b.
    const nc = await connect({ servers: edge.url });
    const natsSub = nc.subscribe('sensors.*.temp', { max: 20 });
    const natsSeen = (async () => {
      const out: string[] = [];
      for await (const m of natsSub) out.push(`${m.subject}=${m.string()}`);
      return out;
    })();

    const sensor = await device('sensor-1');
    // MQTT.js resolves a QoS 2 publish after the whole PUBLISH/PUBREC/PUBREL/PUBCOMP exchange.
    for (let i = 0; i < 20; i++) await sensor.publishAsync('sensors/s1/temp', String(20 + i), { qos: 2 });

    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(20);
    expect(received.map((p) => [p.topic, p.payload.toString(), p.qos])).toEqual(Array.from({ length: 20 }, (_, i) => ['sensors/s1/temp', String(20 + i), 2]));
    expect(await natsSeen).toEqual(Array.from({ length: 20 }, (_, i) => `sensors.s1.temp=${20 + i}`));
    await nc.close();
    // Nothing more arrives later (exactly once, not at least once).
    await subscriber.unsubscribeAsync('sensors/+/temp');
    expect(received).toHaveLength(20);
  });
});
