import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, jetstream } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import { isCairnError } from '../../../protocols/errors/cairn-error.ts';
import { DeployCodes } from '../../../protocols/errors/deploy-codes.ts';
import { KernelCodes } from '../../../protocols/errors/kernel-codes.ts';
import { OLD_NATS_SERVER } from '../../helpers/old-nats-server.ts';
import { freePort, startNatsServer } from '../../../deploy/nats-server/index.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TestServer } from '../../helpers/nats.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-nats-proc-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function testServer(opts: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer(opts);
  cleanups.push(() => server.cleanup());
  return server;
}

describe('startNatsServer', () => {
  it('startNatsServer - resolves once ready, with the URL of the port it was given', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const lines: string[] = [];
    const server = await startNatsServer({
      config: { server_name: 'proc-ready', host: '127.0.0.1', port },
      dir,
      onLog: (l) => lines.push(l),
    });
    cleanups.push(() => server.stop());
    expect(server.url).toBe(`nats://127.0.0.1:${port}`);
    expect(server.clientPort).toBe(port);
    expect(server.pid).toBeGreaterThan(0);
    expect(await readFile(server.configPath, 'utf8')).toContain(`port: ${port}`);
    expect(lines.some((l) => l.includes('Server is ready'))).toBe(true);
    const nc = await connect({ servers: server.url });
    await nc.flush();
    await nc.close();
    await server.stop();
    // A clean shutdown on SIGTERM exits 0 (2.9.10 exited 1; 2.15.2 calls os.Exit(0)).
    expect((await server.exited).code).toBe(0);
  });

  it('startNatsServer - fails fast with the log tail when the config is rejected', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const started = Date.now();
    const err = await startNatsServer({
      // An unknown key makes nats-server exit at once.
      config: { port, jetstream: { store_dir: join(dir, 's'), bogus_key: 1 } as never },
      dir,
    }).catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.NATS_SERVER_START_FAILED)).toBe(true);
    expect((err as Error).message).toContain('bogus_key');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('startNatsServer - reports a taken port as CAIRN_NATS_SERVER_PORT_IN_USE', async () => {
    const dir = await tempDir();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const port = (blocker.address() as { port: number }).port;
    const err = await startNatsServer({ config: { host: '127.0.0.1', port }, dir }).catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.NATS_SERVER_PORT_IN_USE)).toBe(true);
  });

  it('startNatsServer - rejects a port it cannot know and a logfile it cannot watch', async () => {
    const dir = await tempDir();
    const noPort = await startNatsServer({ config: { port: -1 }, dir }).catch((e: unknown) => e);
    expect(isCairnError(noPort, DeployCodes.INVALID_PORT)).toBe(true);
    expect((noPort as Error).message).toContain('-1');
    const logfile = await startNatsServer({ config: { port: 4222, logfile: '/tmp/x.log' }, dir }).catch((e: unknown) => e);
    expect(isCairnError(logfile, DeployCodes.NATS_SERVER_LOGFILE_UNSUPPORTED)).toBe(true);
  });

  it('startNatsServer - an aborted start kills the process', async () => {
    const dir = await tempDir();
    const controller = new AbortController();
    const promise = startNatsServer({ config: { host: '127.0.0.1', port: await freePort() }, dir, signal: controller.signal });
    controller.abort();
    const err = await promise.catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.NATS_SERVER_START_ABORTED)).toBe(true);
  });

  it('startNatsServer - an abort after spawn kills the starting process', async () => {
    const dir = await tempDir();
    const controller = new AbortController();
    const err = await startNatsServer({
      config: { host: '127.0.0.1', port: await freePort() },
      dir,
      signal: controller.signal,
      // Abort on the first log line: the process runs but is not ready yet.
      onLog: () => controller.abort(),
    }).catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.NATS_SERVER_START_ABORTED)).toBe(true);
    const pid = (err as { details: { logTail: string[] } }).details.logTail[0]?.match(/^\[(\d+)\]/)?.[1];
    expect(pid).toBeDefined();
    expect(() => process.kill(Number(pid), 0)).toThrow();
  });

  it('startNatsServer - a server that never gets ready is killed after readyTimeoutMs', async () => {
    const dir = await tempDir();
    // A binary that reports a good version but, run on a config, never logs "Server is ready".
    const binary = join(dir, 'silent-server');
    await writeFile(binary, '#!/bin/sh\n[ "$1" = --version ] && { echo "nats-server: v2.15.2"; exit 0; }\nexec sleep 30\n');
    await chmod(binary, 0o755);
    const err = await startNatsServer({
      config: { port: await freePort() },
      dir,
      binary,
      readyTimeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.NATS_SERVER_START_TIMEOUT)).toBe(true);
    expect((err as Error).message).toContain('300 ms');
  });

  it('startNatsServer - aborting the signal after start stops the server', async () => {
    const dir = await tempDir();
    const controller = new AbortController();
    const server = await startNatsServer({ config: { host: '127.0.0.1', port: await freePort() }, dir, signal: controller.signal });
    cleanups.push(() => server.stop());
    controller.abort();
    const exit = await server.exited;
    expect(exit.code).toBe(0);
  });

  it('startNatsServer - a missing binary is CAIRN_NATS_SERVER_NOT_FOUND naming it, before anything is written', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'no-such-nats-server');
    const err = await startNatsServer({ config: { port: await freePort() }, dir, binary: missing }).catch((e: unknown) => e);
    expect(isCairnError(err, DeployCodes.NATS_SERVER_NOT_FOUND)).toBe(true);
    expect((err as Error).message).toContain(missing);
  });

  it('startNatsServer - an explicit binary older than the minimum is refused before it runs', async () => {
    const dir = await tempDir();
    const err = await startNatsServer({ config: { port: await freePort() }, dir, binary: OLD_NATS_SERVER }).catch((e: unknown) => e);
    expect(isCairnError(err, KernelCodes.NATS_SERVER_TOO_OLD)).toBe(true);
    expect((err as Error).message).toContain('2.9.10');
  });
});

describe('startTestServer', () => {
  it('startTestServer - JetStream is on by default, in the temp dir', async () => {
    const server = await testServer({ domain: 'hd1' });
    expect(server.storeDir?.startsWith(server.dir)).toBe(true);
    const nc = await connect({ servers: server.url });
    cleanups.push(() => nc.close());
    const jsm = await jetstreamManager(nc);
    const info = await jsm.getAccountInfo();
    expect(info.domain).toBe('hd1');
  });

  it('startTestServer - kill -9 then restart keeps the port and the stored messages', async () => {
    const server = await testServer();
    const port = server.clientPort;
    let nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'KEEP', subjects: ['keep.>'] });
    await jetstream(nc).publish('keep.a', 'one');
    await nc.close();
    const pidBefore = server.pid;
    server.kill('SIGKILL');
    expect((await server.exited).signal).toBe('SIGKILL');
    await server.restart();
    expect(server.clientPort).toBe(port);
    expect(server.pid).not.toBe(pidBefore);
    nc = await connect({ servers: server.url });
    cleanups.push(() => nc.close());
    const info = await (await jetstreamManager(nc)).streams.info('KEEP');
    expect(info.state.messages).toBe(1);
  });

  it('startTestServer - without JetStream, and cleanup removes the dir', async () => {
    const server = await startTestServer({ jetstream: false });
    expect(server.storeDir).toBeUndefined();
    expect(server.config.jetstream).toBeUndefined();
    await server.cleanup();
    await server.cleanup();
    const gone = await readFile(server.configPath, 'utf8').catch((e: NodeJS.ErrnoException) => e.code);
    expect(gone).toBe('ENOENT');
  });
});
