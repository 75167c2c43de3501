// `cairn hub check` tries each principal's permissions on a throwaway nats-server configured as
// the site's would be: real server, real MQTT clients (mqtt.js), nothing published on a site.
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseManifestOrThrow } from '../../../control-plane/index.ts';
import { hubs } from '../../../deploy/cli/hub-check-report.ts';
import { hubProbeLines, hubProbePlans } from '../../../deploy/cli/hub-probe-plan.ts';
import type { HubProbePlan } from '../../../deploy/cli/hub-probe-plan.ts';
import { probeHub, probeStep } from '../../../deploy/cli/hub-probe.ts';

// A certificate principal on a listener that maps certificates: the probe logs it in by password,
// its permissions are what it tries.
const MANIFEST = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: plant }
spec:
  actors:
    - id: hub
      module: cairn/hub
      config:
        listeners: { mqtt: { port: 8883, tls: { cert: /etc/cairn/hub.pem, key: /etc/cairn/hub.key, ca: /etc/cairn/ca.pem, map: true } } }
        principals:
          - { certificate: "CN=sensor-1,O=plant", publish: ["plant/s1/#"], subscribe: ["cmd/s1/#", "cmd/all"] }
          - { certificate: "CN=sensor-2,O=plant", publish: ["plant/s2/temp", "alarm/s2"] }
    - { id: readings, behaviour: { module: ./readings.ts } }
  routes:
    - { from: { mqtt: "plant/+/temp" }, to: { actor: readings } }
    - { from: { mqtt: "alarm/#" }, to: { actor: readings } }
`;

const planOf = (): HubProbePlan => {
  const app = parseManifestOrThrow(MANIFEST).app;
  return hubProbePlans(app, hubs(app))[0]!;
};

describe('hub check on a throwaway server', () => {
  it('hub probe - the server delivers what each principal may publish (a filter ending in # also its parent topic), drops the rest, and grants its subscriptions', async () => {
    const plan = planOf();
    const result = await probeHub(plan);
    const said = plan.publishes.map((p, i) => `${p.who} ${p.topic} ${result.delivered[i] ? 'delivered' : 'dropped'}`);
    expect(said).toEqual([
      'CN=sensor-1,O=plant plant/s1/cairn-probe delivered',
      'CN=sensor-1,O=plant plant/s1 delivered',
      'CN=sensor-1,O=plant plant/s1/temp delivered',
      'CN=sensor-1,O=plant plant/cairn-probe/temp dropped',
      'CN=sensor-1,O=plant alarm/cairn-probe dropped',
      'CN=sensor-1,O=plant alarm dropped',
      'CN=sensor-2,O=plant plant/s2/temp delivered',
      'CN=sensor-2,O=plant alarm/s2 delivered',
      'CN=sensor-2,O=plant plant/cairn-probe/temp dropped',
      'CN=sensor-2,O=plant alarm/cairn-probe dropped',
      'CN=sensor-2,O=plant alarm dropped',
    ]);
    expect(result.granted).toEqual([true, true]);
    expect(hubProbeLines(plan, result).filter((l) => l.level === 'warn')).toEqual([]);
  }, 60_000);

  it('hub probe - a server that lets a principal publish or subscribe less than its filters say is reported, each probe by name', async () => {
    const plan = planOf();
    // As if the site's server were rendered without `plant/s1/#` and `cmd/all`: what the check is for.
    const narrowed: HubProbePlan = { ...plan, principals: plan.principals.map((p, i) => (i === 0 ? { ...p, publish: ['plant/s1'], subscribe: ['cmd/s1/#'] } : p)) };
    const warnings = hubProbeLines(narrowed, await probeHub(narrowed))
      .filter((l) => l.level === 'warn')
      .map((l) => l.text);
    expect(warnings).toEqual([
      'server: CN=sensor-1,O=plant publishing plant/s1/cairn-probe: dropped, though its publish filters allow it',
      'server: CN=sensor-1,O=plant publishing plant/s1/temp: dropped, though its publish filters allow it',
      'server: CN=sensor-1,O=plant subscribing cmd/all: refused, though its subscribe filters allow it',
    ]);
  }, 60_000);

  it('hub probe - a server that cannot start fails the check with its own code and leaves no files behind', async () => {
    const leftovers = async (): Promise<string[]> => (await readdir(tmpdir())).filter((n) => n.startsWith('cairn-hub-check-'));
    const before = await leftovers();
    await expect(probeHub(planOf(), { binary: '/nonexistent/nats-server' })).rejects.toMatchObject({ code: 'CAIRN_NATS_SERVER_NOT_FOUND' });
    expect(await leftovers()).toEqual(before);
  });

  it('hub probe - a step without an answer in time, or that fails, fails the check with its code, naming the step', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(probeStep(never, 20, 'publish a/b as s1')).rejects.toMatchObject({ code: 'CAIRN_HUB_CHECK_PROBE_FAILED', message: 'hub check: the throwaway server did not let the check publish a/b as s1: no answer in 20 ms' });
    await expect(probeStep(Promise.reject(new Error('Connection refused: Not authorized')), 1_000, 'log in as s1')).rejects.toMatchObject({ code: 'CAIRN_HUB_CHECK_PROBE_FAILED', message: 'hub check: the throwaway server did not let the check log in as s1: Connection refused: Not authorized' });
    expect(await probeStep(Promise.resolve(7), 1_000, 'x')).toBe(7);
  });
});
