// An app's consumer on nats-server's MQTT store changes its ack policy by a handover that lets
// nothing go: on a real server, with the store's interest retention, what the old consumer had
// not acked is kept and handed out by the new one, and a handover cut short is finished.
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { acksTogether, ensureMqttStoreConsumer, mqttStoreConsumerConfig } from '../../control-plane/mqtt-store-consumer.ts';
import type { RoutePlan } from '../../control-plane/route-plan.ts';
import { serverForFile } from '../helpers/server-for-file.ts';

let nc: NatsConnection;
let jsm: JetStreamManager;
serverForFile((_server, connection) => void (nc = connection));

const log = pino({ level: 'silent' });
const route = (index: number, instances: string[]) => ({ index, subjects: [`meter.${index}.>`], instances, mqtt: true });
const plan = (...routes: ReturnType<typeof route>[]): RoutePlan => ({ site: 's', app: 'meters', stream: 'CAIRN_RT_s_meters', subjects: routes.flatMap((r) => r.subjects), routes });
const one = plan(route(0, ['sink']), route(1, ['sink']));
const two = plan(route(0, ['sink']), route(1, ['other']));
const MAIN = 'cairn-rt-s-meters';
const HANDOVER = 'cairn-rth-s-meters';

beforeEach(async () => {
  jsm = await jetstreamManager(nc);
  await jsm.streams.delete('$MQTT_msgs').catch(() => undefined);
  await jsm.streams.add({ name: '$MQTT_msgs', subjects: ['$MQTT.msgs.>'], retention: RetentionPolicy.Interest, storage: StorageType.File });
});

/** Publishes `n` device publishes as the server stores them; their stream sequences. */
async function publish(n: number): Promise<number[]> {
  const js = jetstream(nc);
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) seqs.push((await js.publish(`$MQTT.msgs.meter.${i % 2}.kwh`, String(i))).seq);
  return seqs;
}

/** Reads `n` messages from `consumer`, acking each (explicit) or only the last (all); their sequences. */
async function read(consumer: string, n: number, ack: 'each' | 'last' | 'none'): Promise<number[]> {
  const c = await jetstream(nc).consumers.get('$MQTT_msgs', consumer);
  const got = await c.fetch({ max_messages: n, expires: 1_000 });
  const seqs: number[] = [];
  let last;
  for await (const m of got) {
    seqs.push(m.seq);
    if (ack === 'each') m.ack();
    last = m;
  }
  if (ack === 'last') last?.ack();
  await nc.flush();
  return seqs;
}

const storedCount = async (): Promise<number> => (await jsm.streams.info('$MQTT_msgs')).state.messages;
const names = async (): Promise<string[]> => {
  const out: string[] = [];
  for await (const c of jsm.consumers.list('$MQTT_msgs')) out.push(c.name);
  return out.sort();
};

describe('the consumer on the MQTT store', () => {
  it('acksTogether - only direct delivery to one actor instance acks together', () => {
    expect(acksTogether(one, true)).toBe(true);
    expect(acksTogether(two, true)).toBe(false);
    expect(acksTogether(one, false)).toBe(false);
    expect(mqttStoreConsumerConfig('s', 'meters', one, true)).toMatchObject({ durable_name: MAIN, ack_policy: AckPolicy.All, filter_subjects: ['$MQTT.msgs.meter.0.>', '$MQTT.msgs.meter.1.>'] });
  });

  it('what the server does without a handover: deleting the only consumer lets its unacked publishes go', async () => {
    await jsm.consumers.add('$MQTT_msgs', mqttStoreConsumerConfig('s', 'meters', two, false));
    await publish(6);
    expect(await storedCount()).toBe(6);
    await jsm.consumers.delete('$MQTT_msgs', MAIN);
    expect(await storedCount()).toBe(0);
  });

  it('ensureMqttStoreConsumer - explicit to all and back: the new consumer hands out exactly what the old one had not acked, the store keeps it all the while, no handover consumer stays', async () => {
    const first = await ensureMqttStoreConsumer(jsm, 's', 'meters', mqttStoreConsumerConfig('s', 'meters', two, false), log);
    expect(first).toMatchObject({ fresh: true, info: { config: { ack_policy: AckPolicy.Explicit } } });
    const seqs = await publish(10);
    expect(await read(MAIN, 4, 'each')).toEqual(seqs.slice(0, 4));

    const all = await ensureMqttStoreConsumer(jsm, 's', 'meters', mqttStoreConsumerConfig('s', 'meters', one, true), log);
    expect(all).toMatchObject({ fresh: true, since: first.since, info: { config: { ack_policy: AckPolicy.All, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seqs[4] } } });
    expect(await names()).toEqual([MAIN]);
    expect(await storedCount()).toBe(6);
    // Acked together: one ack for the first three of what is left.
    expect(await read(MAIN, 3, 'last')).toEqual(seqs.slice(4, 7));
    await expect.poll(storedCount).toBe(3);

    const back = await ensureMqttStoreConsumer(jsm, 's', 'meters', mqttStoreConsumerConfig('s', 'meters', two, false), log);
    expect(back.info.config.ack_policy).toBe(AckPolicy.Explicit);
    expect(await names()).toEqual([MAIN]);
    expect(await read(MAIN, 10, 'each')).toEqual(seqs.slice(7));
    await expect.poll(storedCount).toBe(0);
  });

  it('ensureMqttStoreConsumer - a handover cut short after the old consumer went is finished from where the handover consumer starts', async () => {
    await ensureMqttStoreConsumer(jsm, 's', 'meters', mqttStoreConsumerConfig('s', 'meters', two, false), log);
    const seqs = await publish(8);
    expect(await read(MAIN, 3, 'each')).toEqual(seqs.slice(0, 3));
    // What a node killed between deleting the old consumer and making the new one leaves behind.
    await jsm.consumers.add('$MQTT_msgs', { ...mqttStoreConsumerConfig('s', 'meters', one, false), durable_name: HANDOVER, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seqs[3] });
    await jsm.consumers.delete('$MQTT_msgs', MAIN);
    expect(await storedCount()).toBe(5);
    const made = await ensureMqttStoreConsumer(jsm, 's', 'meters', mqttStoreConsumerConfig('s', 'meters', one, true), log);
    expect(made.info.config).toMatchObject({ ack_policy: AckPolicy.All, opt_start_seq: seqs[3] });
    expect(await names()).toEqual([MAIN]);
    expect(await read(MAIN, 10, 'last')).toEqual(seqs.slice(3));
  });

  it('ensureMqttStoreConsumer - same policy: kept, its filters brought up to date, a leftover handover consumer removed', async () => {
    await ensureMqttStoreConsumer(jsm, 's', 'meters', mqttStoreConsumerConfig('s', 'meters', one, true), log);
    await jsm.consumers.add('$MQTT_msgs', { durable_name: HANDOVER, ack_policy: AckPolicy.Explicit, filter_subjects: ['$MQTT.msgs.meter.>'] });
    const wider = plan(route(0, ['sink']), route(1, ['sink']), route(2, ['sink']));
    const kept = await ensureMqttStoreConsumer(jsm, 's', 'meters', mqttStoreConsumerConfig('s', 'meters', wider, true), log);
    expect(kept.fresh).toBe(false);
    expect(kept.info.config.filter_subjects).toHaveLength(3);
    expect(await names()).toEqual([MAIN]);
  });

  it('RouteExecutor.sweep - removes the store consumers of apps no longer wanted, a handover consumer left behind too', async () => {
    const { RouteExecutor } = await import('../../control-plane/index.ts');
    for (const app of ['gone', 'kept']) {
      await jsm.consumers.add('$MQTT_msgs', { durable_name: `cairn-rt-s-${app}`, ack_policy: AckPolicy.All });
      await jsm.consumers.add('$MQTT_msgs', { durable_name: `cairn-rth-s-${app}`, ack_policy: AckPolicy.Explicit });
    }
    const executor = new RouteExecutor({ site: 's', js: jetstream(nc), jsm, tell: async () => undefined, log });
    expect(await executor.sweep(async (app) => app === 'kept')).toEqual(['gone']);
    expect(await names()).toEqual(['cairn-rt-s-kept', 'cairn-rth-s-kept']);
  });
});
