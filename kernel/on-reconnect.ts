import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Calls `fn` once, the first time `connection` is made again after a drop (what the server had on
 * its way to this client then is lost). Returns what stops watching, at once: the status
 * subscription is ended, and `fn` is not called after it.
 */
export function onReconnect(connection: NatsConnection, fn: () => void): () => void {
  const statuses = connection.status();
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    // nats.js's status iterator ends (and leaves the connection) on stop().
    (statuses as { stop?: () => void }).stop?.();
  };
  void (async () => {
    for await (const status of statuses) {
      if (stopped) return;
      if (status.type !== 'reconnect') continue;
      stop();
      return fn();
    }
  })();
  return stop;
}
