// What an MQTT route takes best effort (QoS 0 and plain publishes on its topics, when the capture
// stream leaves them to the MQTT store): told to the actor in order; what the mailbox refuses is
// dropped, counted and reported; QoS 1 and 2 publishes are left to the store's reader.
import { headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BestEffortRoutes } from '../../control-plane/route-best-effort.ts';
import type { RouteItem } from '../../control-plane/route-forwarder.ts';
import type { ActorEvent } from '../../protocols/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { serverForFile } from '../helpers/server-for-file.ts';

let nc: NatsConnection;
serverForFile((_server, connection) => void (nc = connection));

const plan = { site: 's', app: 'plant', stream: 'CAIRN_RT_s_plant', subjects: ['plant.>'], routes: [{ index: 0, subjects: ['plant.>'], instances: ['meter'], mqtt: true }] };
const text = (i: RouteItem): string => new TextDecoder().decode((i.body as { data: Uint8Array }).data);

describe('best-effort routes', () => {
  it('BestEffortRoutes - QoS 0 and plain publishes reach the actor in order; one its mailbox refuses is dropped and reported as a dropped event; QoS 1 publishes are left to the store', async () => {
    const told: string[] = [];
    const events: ActorEvent[] = [];
    const tell = async (instance: string, items: readonly RouteItem[]): Promise<void> => {
      if (items.some((i) => text(i) === 'refused')) throw new Error(`mailbox of ${instance} is full`);
      told.push(...items.map(text));
    };
    const routes = new BestEffortRoutes({ plan, subjects: ['plant.>'], nc, tell, log: pino({ level: 'silent' }), clock: new FakeClock(), onEvent: (e) => void events.push(e) });
    const stop = new AbortController();
    routes.start(stop.signal);
    await nc.flush();
    const qos1 = headers();
    qos1.set('Nmqtt-Pub', '1');
    for (const payload of ['one', 'refused', 'two']) nc.publish('plant.p1.kwh', payload);
    nc.publish('plant.p1.kwh', 'from the store', { headers: qos1 });
    nc.publish('plant.p1.kwh', 'three');
    await expect.poll(() => told, { timeout: 10_000 }).toEqual(['one', 'two', 'three']);
    expect(events).toMatchObject([{ type: 'dropped', actor: 'meter', count: 1, code: 'CAIRN_ROUTE_BEST_EFFORT_DROPPED' }]);
    stop.abort();
    await routes.stop();
    // Stopped: nothing more is taken (had it been delivered, it would be told before the flush returns).
    nc.publish('plant.p1.kwh', 'late');
    await nc.flush();
    expect(told).toEqual(['one', 'two', 'three']);
  });
});
