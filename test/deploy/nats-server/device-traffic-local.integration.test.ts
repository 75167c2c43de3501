// Raw device traffic stays on its site: with a hub's principals, the edge's leaf link does not
// carry what devices may publish, while the rest of the site's traffic crosses as before.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectAsync } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { cloudSiteConfig, edgeSiteConfig, freePorts, startNatsServer, withDeviceAccess } from '../../../deploy/nats-server/index.ts';
import type { RunningNatsServer } from '../../../deploy/nats-server/index.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function collect(nc: NatsConnection, subject: string): Promise<string[]> {
  const got: string[] = [];
  nc.subscribe(subject, { callback: (_e, m) => void got.push(`${m.subject}=${m.string()}`) });
  await nc.flush();
  return got;
}

describe('device traffic on a leaf edge', () => {
  it('leaf - a device publish reaches edge subscribers and never the cloud; other edge subjects still do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-devlocal-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const [cloudPort, leafPort, edgePort, mqttPort] = (await freePorts(4)) as [number, number, number, number];
    const start = async (config: Parameters<typeof startNatsServer>[0]['config'], sub: string): Promise<RunningNatsServer> => {
      const s = await startNatsServer({ config, dir: join(dir, sub) });
      cleanups.push(() => s.stop());
      return s;
    };
    const cloud = await start(cloudSiteConfig({ host: '127.0.0.1', port: cloudPort, storeDir: join(dir, 'c'), leafnodes: { port: leafPort } }), 'c');
    const edgeBase = edgeSiteConfig({ name: 'e1', host: '127.0.0.1', port: edgePort, storeDir: join(dir, 'e'), cloud: { urls: [`nats-leaf://127.0.0.1:${leafPort}`] } });
    const edge = await start(withDeviceAccess(edgeBase, [{ actor: 'hub', mqtt: { port: mqttPort, host: '127.0.0.1' }, principals: [{ username: 'dev', password: 'pw', publish: ['plant/#'], subscribe: [] }] }], 'x'), 'e');

    const cloudNc = await connect({ servers: cloud.url });
    const edgeNc = await connect({ servers: edge.url });
    cleanups.push(() => cloudNc.close(), () => edgeNc.close());
    const atCloud = await collect(cloudNc, '>');
    const atEdge = await collect(edgeNc, 'plant.>');
    // The link carries the cloud's interest to the edge once it is up.
    await expect.poll(async () => {
      edgeNc.publish('status.e1', 'up');
      await edgeNc.flush();
      return atCloud.some((m) => m.startsWith('status.e1='));
    }, { timeout: 15_000, interval: 200 }).toBe(true);

    const dev = await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'd1', username: 'dev', password: 'pw', protocolVersion: 4, reconnectPeriod: 0 });
    cleanups.push(() => dev.endAsync(true));
    await dev.publishAsync('plant/p1/temp', '21', { qos: 1 });
    edgeNc.publish('status.e1', 'after');
    await edgeNc.flush();
    await expect.poll(() => atCloud.includes('status.e1=after'), { timeout: 10_000 }).toBe(true);
    expect(atEdge).toEqual(['plant.p1.temp=21']);
    expect(atCloud.filter((m) => m.startsWith('plant.'))).toEqual([]);
  }, 60_000);
});
