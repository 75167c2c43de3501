// A loopback TCP proxy that `cairn demo` (and the tests) use to cut a leaf link.
import { createConnection, createServer } from 'node:net';
import type { Socket } from 'node:net';

/** A loopback TCP proxy that can cut the path silently, as a dead network link does. */
export interface LinkProxy {
  readonly port: number;
  /**
   * Cut the path: open connections stop carrying bytes without being closed (peers see silence,
   * not a reset), and new connections are accepted but stay silent.
   */
  freeze(): void;
  /**
   * Restore the path for new connections. Connections cut by freeze() stay dead, as they would
   * after a real outage, unless `reset` closes them (then both peers see the close at once).
   * @default { reset: false }
   */
  thaw(opts?: { reset?: boolean }): void;
  /** Connections currently forwarding bytes. */
  readonly liveConnections: number;
  /** Bytes carried so far, both directions together. */
  readonly forwardedBytes: number;
  close(): Promise<void>;
}

/** How the proxy carries bytes. */
export interface LinkProxyOptions {
  /** Pace each direction of each connection to this many bytes per second, as a slow link does. @default unlimited */
  readonly bytesPerSecond?: number;
}

export async function startLinkProxy(target: { host: string; port: number }, opts: LinkProxyOptions = {}): Promise<LinkProxy> {
  let frozen = false;
  let forwarded = 0;
  const all = new Set<Socket>();
  const dead = new Set<Socket>();
  let live = 0;
  const server = createServer((client) => {
    all.add(client);
    client.on('error', () => {});
    if (frozen) {
      dead.add(client);
      client.on('close', () => {
        all.delete(client);
        dead.delete(client);
      });
      return;
    }
    const upstream = createConnection(target);
    all.add(upstream);
    upstream.on('error', () => {});
    live++;
    let open = true;
    const pair = [client, upstream] as const;
    for (const [from, to] of [pair, [upstream, client] as const]) {
      from.on('data', (chunk: Buffer) => {
        if (dead.has(from)) return;
        forwarded += chunk.length;
        to.write(chunk);
        // A slow link: the next bytes of this direction wait as long as these took to "send".
        if (opts.bytesPerSecond !== undefined) {
          from.pause();
          setTimeout(() => from.resume(), (chunk.length / opts.bytesPerSecond) * 1000).unref();
        }
      });
      from.on('close', () => {
        all.delete(from);
        if (open) live--;
        open = false;
        // A dead path does not carry the close either.
        if (!dead.has(from)) to.destroy();
        dead.delete(from);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    get liveConnections() {
      return live;
    },
    get forwardedBytes() {
      return forwarded;
    },
    freeze: () => {
      frozen = true;
      for (const s of all) dead.add(s);
    },
    thaw: (opts = {}) => {
      frozen = false;
      if (opts.reset === true) for (const s of dead) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of all) s.destroy();
        server.close(() => resolve());
      }),
  };
}
