import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Calls `fn` once, the first time `connection` is made again after a drop (what the server had on
 * its way to this client then is lost). Returns what stops watching.
 */
export function onReconnect(connection: NatsConnection, fn: () => void): () => void {
  const statuses = connection.status()[Symbol.asyncIterator]();
  void (async () => {
    for (let next = await statuses.next(); !next.done; next = await statuses.next()) {
      if (next.value.type === 'reconnect') return fn();
    }
  })();
  return () => void statuses.return?.();
}
