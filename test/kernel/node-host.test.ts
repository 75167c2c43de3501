// Node hosting: a leader runs a worker guest on another node of its site over core NATS. Both
// "nodes" are NATS connections of this process to one real nats-server.
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeHostService, RemoteHost, remoteNodeLauncher } from '../../kernel/index.ts';
import type { GuestChannel, GuestExit, GuestLauncher, HostedGuestInfo, MessageSender, RemoteNodeLauncherOptions, RuntimeSpec } from '../../kernel/index.ts';
import { workerLauncher } from '../../kernel/runtimes/index.ts';
import { KernelCodes, LEADER_SILENCE_TIMEOUT_MS } from '../../protocols/index.ts';
import type { Envelope } from '../../protocols/index.ts';
import { BEHAVIOURS_MODULE } from '../conformance/modes.ts';
import { startTestServer, type TestServer } from '../helpers/nats.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const SITE = 'nh';
const WORKER: RuntimeSpec = { mode: 'worker', module: BEHAVIOURS_MODULE, export: 'ConfCounter' };
const log = pino({ level: process.env.CAIRN_LOG_LEVEL ?? 'warn' });
const info = (actor: string) => ({ site: SITE, node: 'n1', actor });
const never = () => new AbortController().signal;

/** ConfCounter's get/inc/crash never ask or tell through the node, so the sender is never used. */
const noSender: MessageSender = {
  tell: () => Promise.reject(new Error('these guests do not send')),
  ask: () => Promise.reject(new Error('these guests do not ask')),
};

const msg = (n: number, body: { type: string } & Record<string, unknown>): Envelope => ({ v: 1, id: `m${n}`, type: body.type, to: `${SITE}/c`, ts: n, body });

let server: TestServer;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await startTestServer({ jetstream: false });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(async () => {
  await server?.cleanup();
});

async function connection(url = server.url): Promise<NatsConnection> {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  cleanups.push(() => nc.close());
  return nc;
}

/** A host node "n2" running a NodeHostService with the given launchers. */
async function hostNode(launchers: { worker?: GuestLauncher } = { worker: workerLauncher({ log }) }): Promise<{ nc: NatsConnection; service: NodeHostService }> {
  const nc = await connection();
  const service = new NodeHostService({ nc, site: SITE, node: 'n2', launcherFor: (mode) => (mode === 'worker' ? launchers.worker : undefined), log });
  const stop = new AbortController();
  service.start(stop.signal);
  cleanups.push(() => service.stop());
  return { nc, service };
}

function leaderLauncher(nc: NatsConnection, extra: Partial<RemoteNodeLauncherOptions> = {}): GuestLauncher {
  return remoteNodeLauncher({ nc, site: SITE, leader: 'n1', host: 'n2', isHostAlive: () => true, log, ...extra });
}

function nextExit(service: NodeHostService): Promise<{ guest: HostedGuestInfo; exit: GuestExit }> {
  return new Promise((resolve) => {
    const off = service.onGuestExit((guest, exit) => {
      off();
      resolve({ guest, exit });
    });
  });
}

/** Launches ConfCounter remotely and starts it with n = 41. */
async function startCounter(launch: GuestLauncher, actor = 'c1'): Promise<{ channel: GuestChannel; host: RemoteHost }> {
  const channel = await launch(WORKER, info(actor), never());
  cleanups.push(() => channel.kill());
  const host = new RemoteHost(channel, noSender, log, actor);
  await host.start(SITE, 'n1', { value: { n: 41 } });
  return { channel, host };
}

describe('node host', () => {
  it('node host - runs a worker guest on another node: start, a message and its reply, stop', async () => {
    const { service } = await hostNode();
    const leader = await connection();
    const { channel, host } = await startCounter(leaderLauncher(leader));

    expect(channel.describe).toMatch(/^node n2 worker \d+$/);
    expect(service.guests()).toEqual([{ actor: 'c1', leader: 'n1', incarnation: expect.any(String), describe: channel.describe.replace('node n2 ', '') }]);
    expect(await host.handle(msg(1, { type: 'inc', by: 1 }), 1)).toMatchObject({ ok: true, state: { value: { n: 42 } } });
    expect(await host.handle(msg(2, { type: 'get' }), 1)).toMatchObject({ ok: true, reply: 42 });
    expect(await channel.logs?.()).toEqual(expect.any(Array));
    // A worker guest has no usage sampler; the host answers without one.
    expect(await channel.usage?.()).toBeUndefined();

    const ended = nextExit(service);
    expect(await host.stop(5_000)).toBe('stopped');
    expect(await channel.exited).toEqual({ reason: 'exited with code 0', code: KernelCodes.GUEST_EXITED });
    expect((await ended).guest.actor).toBe('c1');
    expect(service.guests()).toEqual([]);
  });

  it('node host - a guest that exits on its node ends the channel with its exit', async () => {
    await hostNode();
    const { channel, host } = await startCounter(leaderLauncher(await connection()));
    const outcome = await host.handle(msg(1, { type: 'crash', how: 'exit' }), 1);
    expect(outcome).toMatchObject({ ok: false, exit: { reason: 'exited with code 3', code: KernelCodes.GUEST_EXITED } });
    expect(await channel.exited).toEqual({ reason: 'exited with code 3', code: KernelCodes.GUEST_EXITED });
  });

  it('node host - kill() from the leader kills the guest on its node and waits for it', async () => {
    const { service } = await hostNode();
    const { channel } = await startCounter(leaderLauncher(await connection()));
    await channel.kill();
    expect(await channel.exited).toEqual({ reason: 'was terminated', code: KernelCodes.GUEST_EXITED });
    expect(service.guests()).toEqual([]);
  });

  it("node host - killFromLeader kills that leader's guests and the leader is told why", async () => {
    const { service } = await hostNode();
    const { channel } = await startCounter(leaderLauncher(await connection()));
    await service.killFromLeader('n1');
    expect(service.guests()).toEqual([]);
    const exit = await channel.exited;
    expect(exit.code).toBe(KernelCodes.GUEST_EXITED);
    expect(exit.reason).toMatch(/killed by node n2: leader n1 released its guests/);
  });

  it('node host - a host service that stops ends its guests with CAIRN_NODE_LOST', async () => {
    const { service } = await hostNode();
    const { channel } = await startCounter(leaderLauncher(await connection()));
    await service.stop();
    expect(await channel.exited).toEqual({ code: KernelCodes.NODE_LOST, reason: 'was killed: node n2 is stopping' });
  });

  it('node host - a host that stops being alive ends the channel with CAIRN_NODE_LOST, and the host kills the guest', async () => {
    const { nc: hostNc, service } = await hostNode();
    const { channel } = await startCounter(leaderLauncher(await connection(), { isHostAlive: () => !hostNc.isClosed(), livenessCheckMs: 100 }));
    const hostSide = nextExit(service);
    // A crashed node says nothing: its connection just goes away, and the registry stops seeing it.
    await hostNc.close();
    const exit = await channel.exited;
    expect(exit.code).toBe(KernelCodes.NODE_LOST);
    expect(exit.reason).toMatch(/node n2/);
    expect((await hostSide).exit).toEqual({ code: KernelCodes.NODE_LOST, reason: 'was killed: the connection of node n2 to NATS was interrupted' });
    expect(service.guests()).toEqual([]);
  });

  it(`node host - a silent leader's guest is killed by its host within ${LEADER_SILENCE_TIMEOUT_MS} ms`, async () => {
    const { service } = await hostNode();
    const leader = await connection();
    const { channel } = await startCounter(leaderLauncher(leader));
    const hostSide = nextExit(service);
    await leader.close();
    expect(await channel.exited).toMatchObject({ code: KernelCodes.NODE_LOST, reason: expect.stringMatching(/connection to node n2 interrupted/) });
    const { guest, exit } = await hostSide;
    expect(guest.actor).toBe('c1');
    expect(exit.code).toBe(KernelCodes.NODE_LOST);
    expect(exit.reason).toMatch(/^was killed by node n2: its leader n1 was silent for \d+ ms$/);
    expect(service.guests()).toEqual([]);
  });

  it("node host - an interrupted leader connection ends the channel with CAIRN_NODE_LOST and the guest does not run on", async () => {
    const { service } = await hostNode();
    const proxy: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port: server.clientPort });
    cleanups.push(() => proxy.close());
    const leader = await connection(`nats://127.0.0.1:${proxy.port}`);
    const { channel } = await startCounter(leaderLauncher(leader));
    const hostSide = nextExit(service);
    // Drops the leader's TCP connection; the client reconnects through the thawed proxy.
    proxy.freeze();
    proxy.thaw({ reset: true });
    expect(await channel.exited).toEqual({ code: KernelCodes.NODE_LOST, reason: 'was lost: connection to node n2 interrupted (frames may have been lost)' });
    // Killed on the leader's kill request once it reconnects, or by the silence rule: either way, gone.
    await hostSide;
    expect(service.guests()).toEqual([]);
  });

  it("node host - a frame over the server's max_payload crashes the guest instead of being lost", async () => {
    const small = await startTestServer({ jetstream: false, extra: { max_payload: 4_096 } });
    cleanups.push(() => small.cleanup());
    const hostNc = await connection(small.url);
    const service = new NodeHostService({ nc: hostNc, site: SITE, node: 'n2', launcherFor: () => workerLauncher({ log }), log });
    service.start(never());
    cleanups.push(() => service.stop());
    const { channel, host } = await startCounter(leaderLauncher(await connection(small.url)));
    const hostSide = nextExit(service);
    const outcome = await host.handle(msg(1, { type: 'inc', by: 1, padding: 'x'.repeat(8_192) }), 1);
    expect(outcome).toMatchObject({ ok: false, code: KernelCodes.GUEST_EXITED, error: expect.stringMatching(/^was killed: a frame for it could not be sent to node n2 \(.*max_payload/) });
    expect((await channel.exited).code).toBe(KernelCodes.GUEST_EXITED);
    // The leader asked the host to kill it, so it does not wait for the silence rule.
    expect((await hostSide).exit).toEqual({ reason: 'was terminated', code: KernelCodes.GUEST_EXITED });
  });

  it('node host - a node without a launcher for the mode refuses the start with CAIRN_RUNTIME_UNAVAILABLE', async () => {
    const { service } = await hostNode({});
    const err = await leaderLauncher(await connection())(WORKER, info('c1'), never()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: KernelCodes.RUNTIME_UNAVAILABLE });
    expect((err as Error).message).toMatch(/node n2 of site nh has no launcher for mode "worker" \(actor c1\)/);
    expect(service.guests()).toEqual([]);
  });

  it('node host - a node with no host service fails the start with CAIRN_NODE_UNREACHABLE', async () => {
    const launch = remoteNodeLauncher({ nc: await connection(), site: SITE, leader: 'n1', host: 'n9', isHostAlive: () => true, log });
    const err = await launch(WORKER, info('c1'), never()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: KernelCodes.NODE_UNREACHABLE });
    expect((err as Error).message).toMatch(/no node host service answers on node n9 of site nh/);
  });

  it('node host - a guest that fails to load fails its start with CAIRN_GUEST_START_FAILED', async () => {
    await hostNode();
    const channel = await leaderLauncher(await connection())({ mode: 'worker', module: BEHAVIOURS_MODULE, export: 'Missing' }, info('c1'), never());
    const host = new RemoteHost(channel, noSender, log, 'c1');
    const err = await host.start(SITE, 'n1', undefined).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: KernelCodes.GUEST_START_FAILED });
    expect((err as Error).message).toMatch(/export "Missing"/);
  });
});
