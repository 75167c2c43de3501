import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';

/** Where listening ports are picked from when the OS's ephemeral range leaves room below it. */
const LISTEN_RANGE_LOW = 10_000;
/** Candidates tried before falling back to a port the OS picks. */
const ATTEMPTS = 64;

/**
 * The OS's ephemeral port range: the ports outgoing connections take their source port from
 * (Linux: /proc/sys/net/ipv4/ip_local_port_range; elsewhere the IANA range). Pure apart from the read.
 */
export function ephemeralPortRange(read: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')): readonly [number, number] {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! > 0 && high! >= low!) return [low!, high!];
  } catch {
    // not Linux: the IANA range below
  }
  return [49_152, 65_535];
}

/**
 * The range a listening port is picked from: below the ephemeral range, so that no outgoing
 * connection (a client's source port) takes it between the pick and the server binding it;
 * undefined when the ephemeral range leaves no room there (the OS then picks). Pure.
 */
export function listenPortRange(ephemeral: readonly [number, number]): readonly [number, number] | undefined {
  return ephemeral[0] - 1 > LISTEN_RANGE_LOW + 1_000 ? [LISTEN_RANGE_LOW, ephemeral[0] - 1] : undefined;
}

function listen(server: Server, host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(undefined) : reject(err));
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : undefined);
    });
  });
}

/** Binds `server` to a free port of the listen range (random), else to one the OS picks. */
async function bindFree(server: Server, host: string): Promise<number> {
  const range = listenPortRange(ephemeralPortRange());
  for (let i = 0; range && i < ATTEMPTS; i++) {
    const port = await listen(server, host, range[0] + Math.floor(Math.random() * (range[1] - range[0] + 1)));
    if (port !== undefined) return port;
  }
  const port = await listen(server, host, 0);
  if (port === undefined) throw new Error(`no port could be bound on ${host}`);
  return port;
}

function failed(host: string, what: string, err: unknown): CairnError {
  return new CairnError(DeployCodes.FREE_PORT_FAILED, `Could not bind ${host} to find ${what} (${(err as Error).message}). Check that ${host} is a local address.`, { cause: err, details: { host } });
}

/**
 * Returns a TCP port that was free on `host` a moment ago, picked below the OS's ephemeral range
 * (no outgoing connection takes it meanwhile). Another process can still take it before you bind
 * it, so a caller that starts a server on it should retry with a new port on
 * CAIRN_NATS_SERVER_PORT_IN_USE (test/helpers/nats.ts and `cairn up` do).
 * @param host @default "127.0.0.1"
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.unref();
  try {
    return await bindFree(server, host);
  } catch (err) {
    throw failed(host, 'a free port', err);
  } finally {
    await new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()));
  }
}

/** `count` distinct free ports on `host` (held open together, so they differ from each other). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    const ports: number[] = [];
    for (const server of servers) ports.push(await bindFree(server, host));
    return ports;
  } catch (err) {
    throw failed(host, `${count} free ports`, err);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()))));
  }
}
