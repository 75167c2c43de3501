import { describe, expect, it } from 'vitest';
import { countIncidents, downlinkProblem, HubModule, hubConfigProblems, publishMessageProblems } from '../../../actors/index.ts';
import type { HubConfig } from '../../../actors/index.ts';
import { parseManifest } from '../../../control-plane/index.ts';
import type { DeviceIncident } from '../../../protocols/index.ts';

const config = (over: Partial<HubConfig> = {}): HubConfig => ({ listeners: { mqtt: { port: 1883 } }, principals: [], ...over });
const principal = (username: string, publish: string[] = [], subscribe: string[] = []) => ({ username, password: 'pw', publish, subscribe });

describe('cairn/hub config', () => {
  it('hub config - accepts well-formed principals and listeners', () => {
    expect(hubConfigProblems(config({ principals: [principal('s1', ['plant/s1/#'], ['cmd/s1/+'])], listeners: { mqtt: { port: 1883 }, websocket: { port: 8080 } } }))).toEqual([]);
  });

  it('hub config - names each bad topic filter, a user given twice, the site user, and two listeners on one port', () => {
    const problems = hubConfigProblems(
      config({
        listeners: { mqtt: { port: 1883 }, websocket: { port: 1883 } },
        principals: [principal('s1', ['plant//x', 'a.b']), principal('s1', [], ['#']), principal('cairn-site')],
      }),
    );
    expect(problems.map((p) => p.path.join('.'))).toEqual(['principals.0.publish.0', 'principals.0.publish.1', 'principals.1.username', 'principals.1.subscribe.0', 'principals.2.username', 'listeners.websocket.port']);
    expect(problems[0]!.message).toMatch(/empty/);
    expect(problems[3]!.message).toMatch(/literal/);
  });

  it('hub config - cairn apply reports a bad filter at its path under the actor config, with the module code', () => {
    const result = parseManifest(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: plant }
spec:
  actors:
    - id: hub
      module: cairn/hub
      config:
        principals:
          - { username: s1, password: pw, publish: ["plant/ s1"] }
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.path, e.code])).toEqual([['spec.actors[0].config.principals[0].publish[0]', 'CAIRN_MANIFEST_MODULE_CONFIG_REFUSED']]);
  });

  it('hub config - tls files must be absolute paths, and verify needs the CA', () => {
    const problems = hubConfigProblems(config({ listeners: { mqtt: { port: 8883, tls: { cert: 'certs/server.pem', key: '/k.pem', verify: true } } } }));
    expect(problems.map((p) => p.path.join('.'))).toEqual(['listeners.mqtt.tls.cert', 'listeners.mqtt.tls.ca']);
    expect(hubConfigProblems(config({ listeners: { websocket: { port: 8443, tls: { cert: '/c.pem', key: '/k.pem' } } } }))).toEqual([]);
  });

  it('hub config - device events go on a subject of the user\u2019s, not Cairn\u2019s', () => {
    expect(hubConfigProblems(config({ events: { subject: 'cairn.devices' } })).map((p) => p.path.join('.'))).toEqual(['events.subject']);
    expect(hubConfigProblems(config({ events: { subject: 'plant.devices' } }))).toEqual([]);
  });

  it('hub config - certificate principals need a listener that maps certificates, which then takes no passwords; each principal is one or the other', () => {
    const tls = { cert: '/c.pem', key: '/k.pem', ca: '/ca.pem', map: true };
    const cert = (subject: string) => ({ certificate: subject, publish: [], subscribe: [] });
    expect(hubConfigProblems(config({ listeners: { mqtt: { port: 8883, tls } }, principals: [cert('CN=s1'), cert('CN=s2')] }))).toEqual([]);
    const problems = hubConfigProblems(config({ listeners: { mqtt: { port: 8883, tls } }, principals: [cert('CN=s1'), principal('s2'), cert('CN=s1'), { ...cert('CN=s3'), username: 'x' }] }));
    expect(problems.map((p) => p.path.join('.'))).toEqual(['principals.1.username', 'principals.2.certificate', 'principals.3']);
    expect(hubConfigProblems(config({ principals: [cert('CN=s1')] })).map((p) => p.path.join('.'))).toEqual(['principals.0.certificate']);
    expect(hubConfigProblems(config({ listeners: { mqtt: { port: 8883, tls: { cert: '/c.pem', key: '/k.pem', map: true } } }, principals: [cert('CN=s1')] })).map((p) => p.path.join('.'))).toEqual(['listeners.mqtt.tls.ca']);
  });

  it('hub config - a certificate principal that is no distinguished name (nats-server would never match it) is refused; spacing, case and order are free', () => {
    const tls = { cert: '/c.pem', key: '/k.pem', ca: '/ca.pem', map: true };
    const cert = (subject: string) => ({ certificate: subject, publish: [], subscribe: [] });
    const problems = hubConfigProblems(config({ listeners: { mqtt: { port: 8883, tls } }, principals: [cert('CN=s1,O=plant'), cert('cn=s2, O=plant'), cert('sensor-3'), cert('CN=a+UID=b'), cert('O=plant')] }));
    expect(problems.map((p) => [p.path.join('.'), p.message])).toEqual([['principals.2.certificate', expect.stringMatching(/^"sensor-3" has "sensor-3", which is not attribute=value/)]]);
  });

  it('hub config - more than one hub instance per site is refused', () => {
    const result = parseManifest(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: plant }
spec:
  actors:
    - { id: hub, module: cairn/hub, replicas: 2, config: {} }
`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.code)).toContain('CAIRN_MANIFEST_MODULE_CONFIG_REFUSED');
  });

  it('hub - its device access is its listeners and principals', () => {
    const access = HubModule.deviceAccess!(config({ principals: [principal('s1', ['plant/s1/#'])] }));
    expect(access).toEqual({ mqtt: { port: 1883 }, principals: [principal('s1', ['plant/s1/#'])] });
  });
});

describe('cairn/hub incidents', () => {
  const incident = (kind: DeviceIncident['kind'], client: string): DeviceIncident => ({ kind, client, address: '127.0.0.1:1', ts: 1 });

  it('counts - each incident by kind, omitted ones as the last listed kind, and keeps the latest 20', () => {
    let state: Parameters<typeof countIncidents>[0] = { incidents: { 'login-refused': 0, 'publish-denied': 0, 'subscribe-denied': 0 }, recent: [] };
    state = countIncidents(state, { type: 'device-incidents', items: [incident('login-refused', 'a'), incident('publish-denied', 'b')], omitted: 3 });
    expect(state.incidents).toEqual({ 'login-refused': 1, 'publish-denied': 4, 'subscribe-denied': 0 });
    state = countIncidents(state, { type: 'device-incidents', items: Array.from({ length: 25 }, (_, i) => incident('subscribe-denied', `c${i}`)), omitted: 0 });
    expect(state.recent).toHaveLength(20);
    expect(state.recent.at(-1)!.client).toBe('c24');
  });
});

describe('cairn/hub downlink', () => {
  it('downlink - one literal topic some principal may subscribe to', () => {
    const c = config({ principals: [principal('s1', [], ['cmd/s1/#']), principal('s2', [], ['cmd/+/all'])] });
    expect(downlinkProblem(c, 'cmd/s1/valve')).toBeUndefined();
    expect(downlinkProblem(c, 'cmd/s1')).toBeUndefined();
    expect(downlinkProblem(c, 'cmd/s9/all')).toBeUndefined();
    expect(downlinkProblem(c, 'cmd/s9/valve')).toMatch(/no principal may subscribe/);
    expect(downlinkProblem(c, 'cmd/+/valve')).toMatch(/wildcards/);
    expect(downlinkProblem(c, 'cmd//valve')).toMatch(/empty/);
    expect(downlinkProblem(c, 'cmd/s1.x')).toMatch(/"\."/);
  });
  it('downlink - without principals any well-formed topic', () => {
    expect(downlinkProblem(config(), 'any/topic')).toBeUndefined();
    expect(downlinkProblem(config(), '$SYS/x')).toMatch(/reserved/);
  });
});

describe('cairn/hub publish messages', () => {
  it('publish - a well-formed message has no problems; each malformed field is named', () => {
    expect(publishMessageProblems({ type: 'publish', topic: 'cmd/s1', payload: 'x' })).toEqual([]);
    expect(publishMessageProblems({ type: 'publish', topic: 'cmd/s1', payload: new Uint8Array([1]), qos: 1, retain: true })).toEqual([]);
    expect(publishMessageProblems({ type: 'publish', qos: 2, retain: 'yes' })).toEqual([
      'topic must be a string, got nothing',
      'payload must be a string or bytes, got nothing',
      'qos must be 0 or 1, got 2',
      'retain must be true or false, got "yes"',
    ]);
  });
});
