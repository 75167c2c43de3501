import { describe, expect, it } from 'vitest';
import { isCairnError } from '../../../protocols/errors/cairn-error.ts';
import { DeployCodes } from '../../../protocols/errors/deploy-codes.ts';
import {
  cloudClusterConfigs,
  cloudSiteConfig,
  edgeSiteConfig,
  embeddedConfig,
  leafUrlsOf,
  staleLinkBoundMs,
} from '../../../deploy/nats-server/index.ts';

/** The problems listed by the CAIRN_INVALID_SITE_CONFIG that `fn` throws. */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (isCairnError(err, DeployCodes.INVALID_SITE_CONFIG)) return err.details['problems'] as string[];
    throw err;
  }
  throw new Error('expected CAIRN_INVALID_SITE_CONFIG, nothing was thrown');
}

const link = { urls: ['nats-leaf://hub:7422'] };

describe('site configs', () => {
  it('embeddedConfig - loopback, port 4222, JetStream without a domain by default', () => {
    expect(embeddedConfig({ storeDir: '/data' })).toMatchObject({
      server_name: 'cairn',
      host: '127.0.0.1',
      port: 4222,
      jetstream: { store_dir: '/data', domain: undefined },
    });
  });

  it('cloudSiteConfig - domain "cloud", leaf listener on 7422, one user per edge', () => {
    const c = cloudSiteConfig({ storeDir: '/c', leafnodes: { edges: [{ name: 'e1', password: 'p1' }] } });
    expect(c.jetstream?.domain).toBe('cloud');
    expect(c.leafnodes?.listen).toBe('0.0.0.0:7422');
    expect(c.leafnodes?.authorization?.users).toEqual([{ user: 'e1', password: 'p1' }]);
    expect(cloudSiteConfig({ storeDir: '/c' }).leafnodes?.authorization).toBeUndefined();
  });

  it('edgeSiteConfig - domain is the edge name, short ping, credentials in the remote URL', () => {
    const e = edgeSiteConfig({ name: 'shop-7', storeDir: '/e', cloud: { urls: ['nats-leaf://hub:7422'], password: 'p@ss/w:rd' } });
    expect(e.jetstream?.domain).toBe('shop-7');
    expect(e.ping_interval).toBe('2s');
    expect(e.ping_max).toBe(3);
    expect(e.leafnodes?.remotes?.[0]?.urls).toEqual(['nats-leaf://shop-7:p%40ss%2Fw%3Ard@hub:7422']);
    expect(e.leafnodes?.listen).toBeUndefined();
    const noAuth = edgeSiteConfig({ name: 'e', storeDir: '/e', cloud: link, pingInterval: '5s', pingMax: 2 });
    expect(noAuth.leafnodes?.remotes?.[0]?.urls).toEqual(['nats-leaf://hub:7422']);
    expect(noAuth.ping_interval).toBe('5s');
  });

  it('edgeSiteConfig - websocket without tls gets no_tls, with tls does not', () => {
    const plain = edgeSiteConfig({ name: 'e', storeDir: '/e', cloud: link, websocket: { port: 8080 } });
    expect(plain.websocket).toMatchObject({ port: 8080, no_tls: true });
    const tls = edgeSiteConfig({ name: 'e', storeDir: '/e', cloud: link, websocket: { port: 8443, tls: { cert_file: '/c', key_file: '/k' } } });
    expect(tls.websocket?.no_tls).toBeUndefined();
  });

  it('staleLinkBoundMs - (pingMax + 1) intervals', () => {
    expect(staleLinkBoundMs('2s', 3)).toBe(8_000);
    expect(staleLinkBoundMs('500ms', 2)).toBe(1_500);
    expect(staleLinkBoundMs('2m', 2)).toBe(360_000);
  });

  it('cloudClusterConfigs - unique names, routes to the others, one domain, own store dirs', () => {
    const cs = cloudClusterConfigs(3, { storeDir: '/s/', port: [1, 2, 3], clusterPort: [4, 5, 6], leafPort: [7, 8, 9] });
    expect(cs.map((c) => c.server_name)).toEqual(['cloud-1', 'cloud-2', 'cloud-3']);
    expect(cs.map((c) => c.jetstream?.store_dir)).toEqual(['/s/cloud-1', '/s/cloud-2', '/s/cloud-3']);
    expect(new Set(cs.map((c) => c.jetstream?.domain))).toEqual(new Set(['cloud']));
    expect(cs[1]?.cluster?.routes).toEqual(['nats-route://127.0.0.1:4', 'nats-route://127.0.0.1:6']);
    expect(leafUrlsOf(cs)).toEqual(['nats-leaf://127.0.0.1:7', 'nats-leaf://127.0.0.1:8', 'nats-leaf://127.0.0.1:9']);
  });

  it('leafUrlsOf - prefers advertise and replaces a wildcard host', () => {
    expect(leafUrlsOf([cloudSiteConfig({ storeDir: '/c' })], 'hub.lan')).toEqual(['nats-leaf://hub.lan:7422']);
    expect(leafUrlsOf([cloudSiteConfig({ storeDir: '/c', leafnodes: { advertise: 'pub:443' } })])).toEqual(['nats-leaf://pub:443']);
  });

  it('site configs - site names must be NATS-token safe', () => {
    for (const bad of ['', 'edge.1', 'edge 1', 'edge*', '>', '-lead', 'x'.repeat(129)]) {
      expect(problems(() => edgeSiteConfig({ name: bad, storeDir: '/e', cloud: link }))[0]).toContain(JSON.stringify(bad));
    }
    expect(problems(() => cloudSiteConfig({ storeDir: '/c', domain: 'a.b' }))[0]).toMatch(/^domain is "a\.b": use 1-128 characters from \[A-Za-z0-9_-\]/);
  });

  it('site configs - gathers every problem before throwing', () => {
    const list = problems(() =>
      edgeSiteConfig({
        name: 'e.1',
        storeDir: 'relative/dir',
        port: 70000,
        cloud: { urls: ['http://hub:7422', 'nats-leaf://u:p@hub:7422'], user: 'x' },
        mqtt: { port: 70000 },
        pingInterval: '2 s' as '2s',
        pingMax: 0,
      }),
    );
    expect(list).toEqual([
      'name is "e.1": use 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit',
      'domain is "e.1": use 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit',
      'storeDir is "relative/dir": use an absolute directory path',
      'port is 70000: use an integer port in 1-65535',
      'mqtt.port is 70000: use an integer port in 1-65535',
      'pingInterval is "2 s": use a positive duration such as "2s", "500ms" or "1m"',
      'pingMax is 0: use an integer of at least 1',
      'cloud.urls[0] is "http://hub:7422": use "nats-leaf://host:port" (the hub\'s leafnode listener)',
      'cloud.urls[1] is "nats-leaf://***@hub:7422": pass the user and password as separate fields, not in the URL',
      'cloud.user is set without cloud.password: give the password the cloud lists for this edge',
      'mqtt.port is 70000, the same as port: give each listener its own port',
    ]);
  });

  it('site configs - the thrown error is one CairnError naming the site', () => {
    try {
      edgeSiteConfig({ name: 'e1', storeDir: '/e', cloud: { urls: [] } });
      expect.unreachable();
    } catch (err) {
      expect(isCairnError(err, DeployCodes.INVALID_SITE_CONFIG)).toBe(true);
      expect((err as Error).message).toMatch(/^Invalid edge site "e1" \(1 problem\):\n\[error\] cloud\.urls is \[\]/);
    }
  });

  it('site configs - duplicate edges, clashing ports and bad advertise are reported', () => {
    expect(
      problems(() =>
        cloudSiteConfig({
          storeDir: '/c',
          port: 7422,
          leafnodes: { advertise: 'hub', edges: [{ name: 'e1', password: 'a' }, { name: 'e1', password: '' }] },
        }),
      ),
    ).toEqual([
      'leafnodes.advertise is "hub": use "host:port", e.g. "hub.example.com:7422"',
      'leafnodes.edges[1].password is "": use a non-empty string',
      'leafnodes.edges[1].name is "e1", listed twice: give each edge one entry',
      'leafnodes.port is 7422, the same as port: give each listener its own port',
    ]);
  });

  it('cloudClusterConfigs - checks the count, per-server lists and port clashes on one host', () => {
    expect(problems(() => cloudClusterConfigs(0, { storeDir: '/s' }))).toEqual([
      'n is 0: use the number of servers, at least 1 (3 or 5 for JetStream quorum)',
    ]);
    expect(problems(() => cloudClusterConfigs(2, { storeDir: '/s', port: [1] }))[0]).toBe(
      'port has 1 entries for 2 servers: give one per server, or one number for all',
    );
    // Same ports on one host clash; on different hosts they do not.
    expect(problems(() => cloudClusterConfigs(2, { storeDir: '/s' }))).toContain(
      'port[1] is 4222 on 127.0.0.1, the same as port[0]: give each listener on a host its own port',
    );
    expect(cloudClusterConfigs(2, { storeDir: '/s', hosts: ['10.0.0.1', '10.0.0.2'] })).toHaveLength(2);
  });
});
