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
