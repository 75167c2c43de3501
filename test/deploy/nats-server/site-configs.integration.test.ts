import { connect as tcpConnect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cloudClusterConfigs,
  cloudSiteConfig,
  EDGE_PING_INTERVAL,
  EDGE_PING_MAX,
  edgeSiteConfig,
  embeddedConfig,
  freePorts,
  leafUrlsOf,
  staleLinkBoundMs,
  startNatsServer,
} from '../../../deploy/nats-server/index.ts';
import type { NatsServerConfig, RunningNatsServer } from '../../../deploy/nats-server/index.ts';
import { createLogWatch } from '../../helpers/log-watch.ts';
import type { LogWatch } from '../../helpers/log-watch.ts';
import { startTcpProxy } from '../../helpers/tcp-proxy.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-sites-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function start(config: NatsServerConfig, dir: string, log?: LogWatch): Promise<RunningNatsServer> {
  const server = await startNatsServer({ config, dir, ...(log === undefined ? {} : { onLog: log.onLog }) });
  cleanups.push(() => server.stop());
  return server;
}

async function client(url: string | string[]): Promise<NatsConnection> {
  const nc = await connect({ servers: url });
  cleanups.push(() => nc.close());
  return nc;
}

/** Retries `fn` until it succeeds: cross-domain JetStream answers only once the leaf link is up. */
async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A JetStreamManager for `domain`, once that domain answers through the leaf link. */
function domainManager(nc: NatsConnection, domain: string, timeoutMs = 15_000): ReturnType<typeof jetstreamManager> {
  return eventually(async () => {
    const jsm = await jetstreamManager(nc, { domain, timeout: 1_000 });
    await jsm.getAccountInfo();
    return jsm;
  }, timeoutMs);
}

/** The server's JetStream settings as its monitoring endpoint reports them. */
async function jetstreamVarz(httpPort: number): Promise<{ sync_interval?: number; sync_always?: boolean }> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/varz`);
  return ((await res.json()) as { jetstream: { config: { sync_interval?: number; sync_always?: boolean } } }).jetstream.config;
}

describe('site configs (integration)', () => {
  it('sync_interval - the server runs each role with its default, and with the interval the options give', async () => {
    const dir = await tempDir();
    const [p1, h1, p2, h2, p3, h3, leaf] = await freePorts(7);
    const edge = await start(
      edgeSiteConfig({ name: 'e1', host: '127.0.0.1', port: p1!, httpPort: h1!, storeDir: join(dir, 'e1'), cloud: { urls: [`nats-leaf://127.0.0.1:${leaf!}`] } }),
      join(dir, 'e1'),
    );
    const cloud = await start(cloudSiteConfig({ host: '127.0.0.1', port: p2!, httpPort: h2!, storeDir: join(dir, 'c'), leafnodes: { port: leaf! } }), join(dir, 'c'));
    const relaxed = await start(embeddedConfig({ port: p3!, httpPort: h3!, storeDir: join(dir, 'r'), syncInterval: '250ms' }), join(dir, 'r'));
    expect(await jetstreamVarz(h1!)).toMatchObject({ sync_always: true });
    expect(await jetstreamVarz(h2!)).toMatchObject({ sync_interval: 1_000_000_000 });
    expect((await jetstreamVarz(h2!)).sync_always).toBeFalsy();
    expect(await jetstreamVarz(h3!)).toMatchObject({ sync_interval: 250_000_000 });
    expect([edge, cloud, relaxed].every((s) => s.pid > 0)).toBe(true);
  });

  it('sync_interval - a value nats-server would not take is refused before anything is written', () => {
    expect(() => embeddedConfig({ storeDir: '/x', syncInterval: 'sometimes' as never })).toThrow(/syncInterval is "sometimes": use "always"/);
  });

  it('embeddedConfig - starts with JetStream in its store dir', async () => {
    const dir = await tempDir();
    const [port] = await freePorts(1);
    const server = await start(embeddedConfig({ port: port!, storeDir: join(dir, 'js'), domain: 'local' }), dir);
    const nc = await client(server.url);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.getAccountInfo()).domain).toBe('local');
    await jsm.streams.add({ name: 'EMB', subjects: ['emb.>'] });
    const ack = await jetstream(nc).publish('emb.x', 'hi');
    expect(ack.seq).toBe(1);
    expect(ack.domain).toBe('local');
  });

  it('cloud + edge - the edge domain is reachable from a cloud client, and back', async () => {
    const dir = await tempDir();
    const [cloudPort, leafPort, edgePort] = await freePorts(3);
    const cloudLog = createLogWatch();
    const edgeLog = createLogWatch();
    const cloud = await start(
      cloudSiteConfig({
        host: '127.0.0.1',
        port: cloudPort!,
        storeDir: join(dir, 'cloud'),
        leafnodes: { port: leafPort!, edges: [{ name: 'edge1', password: 'edge1-secret' }] },
      }),
      join(dir, 'cloud'),
      cloudLog,
    );
    const edge = await start(
      edgeSiteConfig({
        name: 'edge1',
        host: '127.0.0.1',
        port: edgePort!,
        storeDir: join(dir, 'edge1'),
        cloud: { urls: [`nats-leaf://127.0.0.1:${leafPort}`], password: 'edge1-secret' },
      }),
      join(dir, 'edge1'),
      edgeLog,
    );
    const cloudNc = await client(cloud.url);
    const edgeFromCloud = await domainManager(cloudNc, 'edge1');
    expect((await edgeFromCloud.getAccountInfo()).domain).toBe('edge1');
    await edgeFromCloud.streams.add({ name: 'EDGE_EVENTS', subjects: ['edge1.events.>'] });

    // The stream was made through the cloud but lives on the edge.
    const edgeNc = await client(edge.url);
    const local = await jetstreamManager(edgeNc);
    expect((await local.streams.info('EDGE_EVENTS')).config.name).toBe('EDGE_EVENTS');
    const cloudFromEdge = await jetstreamManager(edgeNc, { domain: 'cloud' });
    expect((await cloudFromEdge.getAccountInfo()).domain).toBe('cloud');
    await cloudLog.waitFor(/Leafnode connection created/);
    await edgeLog.waitFor(/Leafnode connection created/);
  });

  it('cloud + edge - an edge with the wrong password is refused', async () => {
    const dir = await tempDir();
    const [cloudPort, leafPort, edgePort] = await freePorts(3);
    const cloudLog = createLogWatch();
    const cloud = await start(
      cloudSiteConfig({
        host: '127.0.0.1',
        port: cloudPort!,
        storeDir: join(dir, 'cloud'),
        leafnodes: { port: leafPort!, edges: [{ name: 'edge1', password: 'right' }] },
      }),
      join(dir, 'cloud'),
      cloudLog,
    );
    const edgeLog = createLogWatch();
    await start(
      edgeSiteConfig({
        name: 'edge1',
        host: '127.0.0.1',
        port: edgePort!,
        storeDir: join(dir, 'edge1'),
        cloud: { urls: [`nats-leaf://127.0.0.1:${leafPort}`], password: 'wrong' },
      }),
      join(dir, 'edge1'),
      edgeLog,
    );
    // nats-server logs "Leafnode connection created" before authentication (2.9.10 and 2.15.2), so that line proves nothing.
    await cloudLog.waitFor(/Leafnode connection closed: Authentication Failure/);
    await edgeLog.waitFor(/Authorization Violation/);
    const nc = await client(cloud.url);
    await expect(domainManager(nc, 'edge1', 3_000)).rejects.toThrow();
  });

  it('edgeSiteConfig - the MQTT listener answers CONNECT and the WebSocket listener upgrades', async () => {
    const dir = await tempDir();
    const [cloudPort, leafPort, edgePort, mqttPort, wsPort] = await freePorts(5);
    await start(
      cloudSiteConfig({ host: '127.0.0.1', port: cloudPort!, storeDir: join(dir, 'cloud'), leafnodes: { port: leafPort! } }),
      join(dir, 'cloud'),
    );
    await start(
      edgeSiteConfig({
        name: 'edge2',
        host: '127.0.0.1',
        port: edgePort!,
        storeDir: join(dir, 'edge2'),
        cloud: { urls: [`nats-leaf://127.0.0.1:${leafPort}`] },
        mqtt: { port: mqttPort! },
        websocket: { port: wsPort! },
      }),
      join(dir, 'edge2'),
    );
    // MQTT 3.1.1 CONNECT, clean session, client id "t1"; the answer must be CONNACK, accepted.
    const connectPacket = Buffer.from([
      0x10, 14, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x02, 0x74, 0x31,
    ]);
    const connack = await exchange(mqttPort!, connectPacket, 4);
    expect([...connack]).toEqual([0x20, 0x02, 0x00, 0x00]);
    const upgrade = await exchange(
      wsPort!,
      Buffer.from(
        'GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n',
      ),
      12,
    );
    expect(upgrade.toString('latin1')).toMatch(/^HTTP\/1\.1 101/);
  });

  it('cloudClusterConfigs - three servers form one JetStream domain that an edge reaches', async () => {
    const dir = await tempDir();
    const ports = await freePorts(10);
    const configs = cloudClusterConfigs(3, {
      storeDir: join(dir, 'cloud'),
      port: ports.slice(0, 3),
      clusterPort: ports.slice(3, 6),
      leafPort: ports.slice(6, 9),
    });
    const servers = await Promise.all(configs.map((c) => start(c, join(dir, c.server_name!))));
    await start(
      edgeSiteConfig({
        name: 'edge3',
        host: '127.0.0.1',
        port: ports[9]!,
        storeDir: join(dir, 'edge3'),
        cloud: { urls: leafUrlsOf(configs) },
      }),
      join(dir, 'edge3'),
    );
    const nc = await client(servers.map((s) => s.url));
    // The meta leader is elected a few seconds after the servers are ready.
    const info = await eventually(async () => {
      const jsm = await jetstreamManager(nc, { timeout: 2_000 });
      return jsm.streams.add({ name: 'R3', subjects: ['r3.>'], num_replicas: 3 });
    }, 30_000);
    const jsm = await jetstreamManager(nc);
    expect(info.cluster?.name).toBe('cloud');
    expect(1 + (info.cluster?.replicas?.length ?? 0)).toBe(3);
    expect((await jsm.getAccountInfo()).domain).toBe('cloud');
    const edgeJsm = await domainManager(nc, 'edge3');
    expect((await edgeJsm.getAccountInfo()).domain).toBe('edge3');
  });

  it('edgeSiteConfig - a silently dead cloud link is dropped within the ping bound, and comes back', async () => {
    const dir = await tempDir();
    const [cloudPort, leafPort, edgePort] = await freePorts(3);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: leafPort! });
    cleanups.push(() => proxy.close());
    const cloudLog = createLogWatch();
    const cloud = await start(
      cloudSiteConfig({
        host: '127.0.0.1',
        port: cloudPort!,
        storeDir: join(dir, 'cloud'),
        // The hub gossips the proxy as its address: after the drop the edge re-dials only the proxy.
        leafnodes: { port: leafPort!, advertise: `127.0.0.1:${proxy.port}` },
      }),
      join(dir, 'cloud'),
      cloudLog,
    );
    const edgeLog = createLogWatch();
    await start(
      edgeSiteConfig({
        name: 'edge4',
        host: '127.0.0.1',
        port: edgePort!,
        storeDir: join(dir, 'edge4'),
        cloud: { urls: [`nats-leaf://127.0.0.1:${proxy.port}`] },
      }),
      join(dir, 'edge4'),
      edgeLog,
    );
    const nc = await client(cloud.url);
    await domainManager(nc, 'edge4');
    const frozenAt = Date.now();
    proxy.freeze();
    const bound = staleLinkBoundMs(EDGE_PING_INTERVAL, EDGE_PING_MAX);
    await edgeLog.waitForNext(/Leafnode connection closed: Stale Connection/, bound + 5_000);
    const noticedAfter = Date.now() - frozenAt;
    // Slack for timers on a busy 2-core machine.
    expect(noticedAfter).toBeLessThanOrEqual(bound + 1_500);
    // The cloud still holds the dead connection (its own ping is the default 2m). The edge's new
    // connection must work anyway: nats-server (2.9.10 and 2.15.2) closes the old one as
    // "Duplicate Remote LeafNode Connection" when the new one arrives.
    proxy.thaw();
    const jsm = await domainManager(nc, 'edge4', 30_000);
    expect(cloudLog.lines.some((l) => /Leafnode connection closed: Stale/.test(l))).toBe(false);
    expect((await jsm.getAccountInfo()).domain).toBe('edge4');
  });
});

/** Writes `request` to a loopback port and resolves with the first `bytes` bytes of the answer. */
function exchange(port: number, request: Buffer, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port }, () => socket.write(request));
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${bytes}-byte answer on port ${port} within 5 s (got ${received.length} bytes)`));
    }, 5_000);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= bytes) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received.subarray(0, bytes));
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
