// A site's server whose configuration changes while it runs: users by reload (same process),
// listeners by restart (same port and store, clients reconnect), refused changes leave it as it was.
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePorts, renderNatsServerConfig, startReconfigurableServer, withDeviceAccess } from '../../../deploy/nats-server/index.ts';
import type { NatsServerConfig, ReconfigurableServer } from '../../../deploy/nats-server/index.ts';
import { isCairnError } from '../../../protocols/index.ts';
import type { DeviceAccess } from '../../../protocols/index.ts';

let dir: string;
let server: ReconfigurableServer;
let base: NatsServerConfig;
let mqttPort: number;
let unexpectedExit = false;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-reconf-'));
  const [port, mqtt] = (await freePorts(2)) as [number, number];
  mqttPort = mqtt;
  base = { server_name: 'reconf', host: '127.0.0.1', port, jetstream: { store_dir: join(dir, 'js') } };
  server = await startReconfigurableServer({ config: base, dir });
  unexpectedExit = false;
  void server.exited.then(() => (unexpectedExit = true));
});
afterEach(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const hub = (users: string[], port = mqttPort): DeviceAccess => ({ actor: 'hub', mqtt: { port, host: '127.0.0.1' }, principals: users.map((username) => ({ username, password: 'pw', publish: ['a/#'], subscribe: [] })) });

describe('reconfigurable server', () => {
  it('restart for a listener, reload for users: a client stays connected across the reload, and exited stays pending', async () => {
    const first = server.pid;
    expect(await server.reconfigure(withDeviceAccess(base, [hub(['a'])], 'x'))).toBe('restart');
    expect(server.pid).not.toBe(first);
    const restarted = server.pid;
    const nc = await connect({ servers: server.url });
    let disconnected = false;
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'disconnect') disconnected = true;
    })();
    expect(await server.reconfigure(withDeviceAccess(base, [hub(['a', 'b'])], 'x'))).toBe('reload');
    expect(server.pid).toBe(restarted);
    expect(await readFile(server.configPath, 'utf8')).toContain('"b"');
    expect(await server.reconfigure(withDeviceAccess(base, [hub(['a', 'b'])], 'x'))).toBe('none');
    await nc.flush();
    expect(disconnected).toBe(false);
    await nc.close();
    expect(unexpectedExit).toBe(false);
  });

  it('a config nats-server refuses is not applied: the running server and its file stay as they were', async () => {
    const before = await readFile(server.configPath, 'utf8');
    const pid = server.pid;
    const bad = withDeviceAccess(base, [hub(['a'])], 'x');
    // A permission subject nats-server cannot parse.
    (bad.authorization!.users![1]!.permissions as { publish: { allow: string[] } }).publish.allow = ['a..b'];
    const err = await server.reconfigure(bad).catch((e: unknown) => e);
    expect(isCairnError(err, 'CAIRN_DEVICE_ACCESS_NOT_APPLIED')).toBe(true);
    expect(server.pid).toBe(pid);
    expect(await readFile(server.configPath, 'utf8')).toBe(before);
  });

  it('a restart that cannot listen brings the previous configuration back and says why', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(mqttPort, '127.0.0.1', r));
    try {
      const err = await server.reconfigure(withDeviceAccess(base, [hub(['a'])], 'x')).catch((e: unknown) => e);
      expect(isCairnError(err, 'CAIRN_DEVICE_ACCESS_NOT_APPLIED')).toBe(true);
      expect((err as Error).message).toMatch(/previous one/);
      expect(await readFile(server.configPath, 'utf8')).toBe(renderNatsServerConfig(base));
      const nc = await connect({ servers: server.url });
      await nc.close();
      expect(unexpectedExit).toBe(false);
    } finally {
      blocker.close();
    }
  });
});
