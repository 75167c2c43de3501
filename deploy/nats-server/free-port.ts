import { createServer } from 'node:net';
import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';

/**
 * Returns a TCP port that was free on `host` a moment ago: binds port 0, reads the port the OS
 * chose, closes. Another process can take it before you bind it, so a caller that starts a server
 * on it should retry with a new port on CAIRN_NATS_SERVER_PORT_IN_USE (test/helpers/nats.ts does).
 * @param host @default "127.0.0.1"
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err) => {
      reject(
        new CairnError(
          DeployCodes.FREE_PORT_FAILED,
          `Could not bind ${host}:0 to find a free port (${err.message}). Check that ${host} is a local address.`,
          { cause: err, details: { host } },
        ),
      );
    });
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `count` distinct free ports on `host` (held open together, so they differ from each other). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    const ports: number[] = [];
    for (const server of servers) {
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port: 0, exclusive: true }, () => {
            const address = server.address();
            resolve(typeof address === 'object' && address !== null ? address.port : 0);
          });
        }),
      );
    }
    return ports;
  } catch (err) {
    throw new CairnError(
      DeployCodes.FREE_PORT_FAILED,
      `Could not bind ${host}:0 to find ${count} free ports (${(err as Error).message}). Check that ${host} is a local address.`,
      { cause: err, details: { host, count } },
    );
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()))));
  }
}
