import { describe, expect, it } from 'vitest';
import { parseManifestOrThrow } from '../../control-plane/index.ts';
import { planRoutes, routeDeliveries, siteInstances } from '../../control-plane/index.ts';

const app = parseManifestOrThrow(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: plant }
spec:
  actors:
    - { id: ingest, behaviour: { module: ./a.ts }, replicas: 3 }
    - { id: alerts, behaviour: { module: ./b.ts } }
    - { id: far, behaviour: { module: ./c.ts }, placement: { sites: [cloud] } }
  routes:
    - { from: { mqtt: "plant/+/vibration/#" }, to: { actor: ingest } }
    - { from: { subject: "plant.*.vibration.alarm" }, to: { actor: alerts } }
    - { from: { subject: "far.>" }, to: { actor: far } }
`).app;

describe('route plan', () => {
  const here = siteInstances(app.spec.actors.filter((a) => a.id !== 'far'));

  it('planRoutes - routes whose target runs here, in one stream listing the subjects no other covers', () => {
    const plan = planRoutes('edge1', app, here);
    expect(plan).toEqual({
      site: 'edge1',
      app: 'plant',
      stream: 'CAIRN_RT_edge1_plant',
      subjects: ['plant.*.vibration', 'plant.*.vibration.>'],
      routes: [
        { index: 0, subjects: ['plant.*.vibration', 'plant.*.vibration.>'], instances: ['ingest', 'ingest-1', 'ingest-2'], mqtt: true },
        { index: 1, subjects: ['plant.*.vibration.alarm'], instances: ['alerts'] },
      ],
    });
    expect(planRoutes('edge1', app, [])).toBeUndefined();
  });

  it('routeDeliveries - fans out to every matching route, one instance each chosen by sequence, with stable ids', () => {
    const plan = planRoutes('edge1', app, here)!;
    expect(routeDeliveries(plan, '42', 'plant.p1.vibration.alarm', 7)).toEqual([
      { route: 0, instance: 'ingest-1', id: 'rt:CAIRN_RT_edge1_plant:42:7:0' },
      { route: 1, instance: 'alerts', id: 'rt:CAIRN_RT_edge1_plant:42:7:1' },
    ]);
    expect(routeDeliveries(plan, '42', 'plant.p1.vibration', 9).map((d) => d.instance)).toEqual(['ingest']);
    expect(routeDeliveries(plan, '42', 'other.subject', 1)).toEqual([]);
  });
});

describe('routes and the MQTT store', () => {
  it('readsMqttStore - only a plan with an MQTT route reads the store; QoS 1 and 2 device publishes are the store\u2019s', async () => {
    const { readsMqttStore, isStoredDevicePublish } = await import('../../control-plane/route-plan.ts');
    const plan = (mqtt: boolean) => ({ site: 's', app: 'a', stream: 'CAIRN_RT_s_a', subjects: ['x.>'], routes: [{ index: 0, subjects: ['x.>'], instances: ['i'], ...(mqtt ? { mqtt: true } : {}) }] });
    expect(readsMqttStore(plan(true))).toBe(true);
    expect(readsMqttStore(plan(false))).toBe(false);
    const samples: (Record<string, string> | undefined)[] = [undefined, {}, { 'Nmqtt-Pub': '0' }, { 'Nmqtt-Pub': '1' }, { 'Nmqtt-Pub': '2' }];
    expect(samples.map((h) => isStoredDevicePublish(h))).toEqual([false, false, false, true, true]);
  });
});

describe('direct delivery from the MQTT store', () => {
  it('oneRoutePerSubject - true when no subject matches two routes (then device publishes go straight to their actor), false when two overlap', async () => {
    const { oneRoutePerSubject } = await import('../../control-plane/route-plan.ts');
    const plan = (...subjects: string[][]) => ({ site: 's', app: 'a', stream: 'CAIRN_RT_s_a', subjects: subjects.flat(), routes: subjects.map((sub, index) => ({ index, subjects: sub, instances: ['i'], mqtt: true })) });
    expect(oneRoutePerSubject(plan(['plant.*.temp', 'plant.*.temp.>']))).toBe(true);
    expect(oneRoutePerSubject(plan(['plant.*.temp'], ['plant.*.alarm']))).toBe(true);
    expect(oneRoutePerSubject(plan(['plant.*.temp'], ['plant.p1.*']))).toBe(false);
    expect(oneRoutePerSubject(plan(['plant.>'], ['plant.p1.temp']))).toBe(false);
    // The fixture app above: its MQTT route and its subject route share plant.p1.vibration.alarm.
    expect(oneRoutePerSubject(planRoutes('edge1', app, siteInstances(app.spec.actors.filter((a) => a.id !== 'far')))!)).toBe(false);
  });

  it('capture subjects - a plan with one route per subject leaves its MQTT topics to the store and takes them best effort; a fan-out plan or one without MQTT routes captures everything', async () => {
    const { bestEffortSubjects, captureSubjects, leavesMqttTopicsToStore } = await import('../../control-plane/route-plan.ts');
    const route = (index: number, subjects: string[], mqtt: boolean) => ({ index, subjects, instances: ['i'], ...(mqtt ? { mqtt: true } : {}) });
    const plan = (...routes: ReturnType<typeof route>[]) => ({ site: 's', app: 'a', stream: 'CAIRN_RT_s_a', subjects: routes.flatMap((r) => r.subjects), routes });
    const mixed = plan(route(0, ['plant.*.temp', 'plant.*.temp.>'], true), route(1, ['devices.>'], false));
    expect(leavesMqttTopicsToStore(mixed)).toBe(true);
    expect(captureSubjects(mixed, true)).toEqual(['devices.>']);
    expect(bestEffortSubjects(mixed, true)).toEqual(['plant.*.temp', 'plant.*.temp.>']);
    // Only MQTT routes: the stream is made on a subject nobody publishes.
    const devicesOnly = plan(route(0, ['plant.>'], true));
    expect(captureSubjects(devicesOnly, true)).toEqual(['cairn.routes.none.s.a']);
    // Two routes on one subject: forwarded from the capture stream, which takes everything.
    const fanOut = plan(route(0, ['plant.>'], true), route(1, ['plant.p1.temp'], false));
    expect(leavesMqttTopicsToStore(fanOut)).toBe(false);
    expect(leavesMqttTopicsToStore(plan(route(0, ['devices.>'], false)))).toBe(false);
    expect(captureSubjects(fanOut, false)).toEqual(['plant.>', 'plant.p1.temp']);
    expect(bestEffortSubjects(fanOut, false)).toEqual([]);
  });

  it('devicePublishDelivery - a store message becomes the routed message a forwarder would store: same id and instance, the store sequence as its origin, a mailbox envelope as its dead-letter copy', async () => {
    const { devicePublishDelivery } = await import('../../control-plane/device-publish-delivery.ts');
    const { decodeEnvelope } = await import('../../protocols/index.ts');
    const plan = { site: 'edge1', app: 'plant', stream: 'CAIRN_RT_edge1_plant', subjects: ['plant.*.temp'], routes: [{ index: 2, subjects: ['plant.*.temp'], instances: ['ingest', 'ingest-1'], mqtt: true }] };
    const data = new TextEncoder().encode('21.5');
    const headers = { keys: () => ['Nmqtt-Pub'], get: () => '1' };
    const msg = (subject: string, seq: number) => ({ subject, data, headers, info: { streamSequence: seq, timestampNanos: 1_700_000_000_123_000_000 } }) as never;
    const d = devicePublishDelivery('edge1', plan, msg('$MQTT.msgs.plant.p7.temp', 41), '99')!;
    expect(decodeEnvelope(d.copy.data).body).toMatchObject({ headers: { 'Nmqtt-Pub': '1' } });
    expect(d).toMatchObject({
      actor: 'ingest-1',
      envelope: { id: 'rt:$MQTT_msgs:99:41:2', type: 'routed', from: 'edge1/~routes', to: 'edge1/ingest-1', ts: 1_700_000_000_123, body: { type: 'routed', subject: 'plant.p7.temp', data, route: 2, headers: { 'Nmqtt-Pub': '1' } } },
      origin: { stream: '$MQTT_msgs@99', seq: 41 },
      copy: { subject: 'cairn.mbx.edge1.ingest-1', stream: '$MQTT_msgs@99' },
    });
    // The headers, read only when looked at, are encoded as any field (a dead letter, a worker's message).
    expect(decodeEnvelope(d.copy.data)).toMatchObject({ id: 'rt:$MQTT_msgs:99:41:2', to: 'edge1/ingest-1', body: { subject: 'plant.p7.temp', route: 2, headers: { 'Nmqtt-Pub': '1' } } });
    expect(devicePublishDelivery('edge1', plan, msg('$MQTT.msgs.plant.p7.humidity', 42), '99')).toBeUndefined();
  });
});

describe('transient start failures', () => {
  it('isTransient - a timeout, no responders or a lost connection, also as a cause, is transient; a refusal is not', async () => {
    const { isTransient } = await import('../../control-plane/index.ts');
    expect(isTransient(Object.assign(new Error('TIMEOUT'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransient(new Error('cannot capture the routes', { cause: Object.assign(new Error('no responders'), { name: 'NoRespondersError' }) }))).toBe(true);
    expect(isTransient(new Error('connection closed'))).toBe(true);
    expect(isTransient(new Error('subjects overlap with an existing stream'))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });
});
