// The route forwarder against a real stream, with time driven by hand: a mailbox that refuses a
// message is retried in place with backoff, and the messages behind it wait.
import { describe, expect, it } from 'vitest';
import { AckPolicy, RetentionPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { RouteExecutor, RouteForwarder, routeConsumerConfig, routeStreamConfig } from '../../control-plane/index.ts';
import type { RoutePlan } from '../../control-plane/index.ts';
import { serverForFile } from '../helpers/server-for-file.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

let nc: NatsConnection;
serverForFile((_s, c) => {
  nc = c;
});

describe('route forwarder', () => {
  it('route forwarder - a refused tell is retried in place with growing backoff; later captures wait behind it', async () => {
    const plan: RoutePlan = { site: 'fw', app: 'app', stream: 'CAIRN_RT_fw_app', subjects: ['fw.>'], routes: [{ index: 0, subjects: ['fw.>'], instances: ['sink'] }] };
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add(routeStreamConfig(plan));
    await jsm.consumers.add(plan.stream, routeConsumerConfig());
    const js = jetstream(nc);
    for (const text of ['a', 'b', 'c']) await js.publish(`fw.${text}`, new TextEncoder().encode(text));

    const clock = new FakeClock();
    let refusals = 2;
    const told: string[] = [];
    const forwarder = new RouteForwarder({
      plan,
      clock,
      log: pino({ level: 'silent' }),
      consumer: async () => ({ consumer: await js.consumers.get(plan.stream, 'cairn-routes'), incarnation: '1' }),
      tell: async (_instance, items) => {
        const texts = items.map((i) => new TextDecoder().decode(i.body.data));
        if (texts.includes('a') && refusals-- > 0) throw new Error('mailbox full');
        told.push(...texts);
      },
    });
    const abort = new AbortController();
    const running = forwarder.run(abort.signal);
    try {
      await expect.poll(() => clock.waiting, { timeout: 10_000 }).toBe(1);
      expect(told).toEqual([]); // b and c do not overtake a
      clock.advance(200);
      await expect.poll(() => clock.slept.length, { timeout: 10_000 }).toBe(2);
      expect(told).toEqual([]);
      clock.advance(400);
      await expect.poll(() => told, { timeout: 10_000 }).toEqual(['a', 'b', 'c']);
      expect(clock.slept).toEqual([200, 400]);
      // Each capture is acked once forwarded: the WorkQueue empties.
      await expect.poll(async () => (await jsm.streams.info(plan.stream)).state.messages, { timeout: 10_000 }).toBe(0);
    } finally {
      abort.abort();
      await running;
    }
  }, 30_000);

  it('route forwarder - on a consumer with ack policy all, a message no route takes is not acked before an earlier one is stored (its ack would cover it)', async () => {
    const plan: RoutePlan = { site: 'fwa', app: 'app', stream: 'CAIRN_RT_fwa_app', subjects: ['fwa.a.>'], routes: [{ index: 0, subjects: ['fwa.a.>'], instances: ['sink'] }] };
    const jsm = await jetstreamManager(nc);
    // A stream acked `all` cannot be a WorkQueue (the MQTT store is an interest stream).
    await jsm.streams.add({ ...routeStreamConfig(plan), subjects: ['fwa.>'], retention: RetentionPolicy.Limits });
    // Its filter also takes fwa.b.>, which no route of the plan takes (as a store consumer's filters can, for a moment, after a revision).
    await jsm.consumers.add(plan.stream, { ...routeConsumerConfig(), ack_policy: AckPolicy.All });
    const js = jetstream(nc);
    for (const subject of ['fwa.a.1', 'fwa.b.1']) await js.publish(subject, new TextEncoder().encode(subject));
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const told: string[] = [];
    const forwarder = new RouteForwarder({
      plan,
      clock: new FakeClock(),
      log: pino({ level: 'silent' }),
      consumer: async () => ({ consumer: await js.consumers.get(plan.stream, 'cairn-routes'), incarnation: '1' }),
      tell: async (_instance, items) => {
        await held;
        told.push(...items.map((i) => new TextDecoder().decode(i.body.data)));
      },
    });
    const abort = new AbortController();
    const running = forwarder.run(abort.signal);
    const ackFloor = async (): Promise<number> => (await jsm.consumers.info(plan.stream, 'cairn-routes')).ack_floor.stream_seq;
    try {
      await expect.poll(async () => (await jsm.consumers.info(plan.stream, 'cairn-routes')).num_ack_pending, { timeout: 10_000 }).toBe(2);
      // fwa.b.1 is done at once; an ack of it now would cover fwa.a.1, whose store waits.
      await new Promise((r) => setTimeout(r, 100));
      expect(await ackFloor()).toBe(0);
      release();
      await expect.poll(() => told, { timeout: 10_000 }).toEqual(['fwa.a.1']);
      await expect.poll(ackFloor, { timeout: 10_000 }).toBe(2);
    } finally {
      abort.abort();
      await running;
    }
  }, 30_000);

  it('route executor - pausing right after run, before the forwarder has its consumer, returns', async () => {
    const plan: RoutePlan = { site: 'fw2', app: 'app', stream: 'CAIRN_RT_fw2_app', subjects: ['fw2.>'], routes: [{ index: 0, subjects: ['fw2.>'], instances: ['sink'] }] };
    const executor = new RouteExecutor({ site: 'fw2', js: jetstream(nc), jsm: await jetstreamManager(nc), log: pino({ level: 'silent' }), tell: async () => undefined });
    for (let i = 0; i < 5; i++) {
      await executor.run('app', plan);
      await executor.pause('app'); // an empty stream: a missed abort would wait here forever
    }
    await executor.remove('app');
    await expect((await jetstreamManager(nc)).streams.info(plan.stream)).rejects.toThrow();
  }, 30_000);
});

