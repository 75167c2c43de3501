import type { NatsConnection, Status } from '@nats-io/transport-node';

/** A change of a NATS connection after which core messages may have been lost. */
export type Interruption = 'disconnect' | 'reconnect' | 'close';

/** The interruption a client status reports, if it is one. */
export function interruptionOf(status: Status): Interruption | undefined {
  return status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'close' ? status.type : undefined;
}

type Listener = (what: Interruption) => void;

/** One status loop per connection, shared by every channel and service using it. */
const watchers = new WeakMap<NatsConnection, Set<Listener>>();

/**
 * Calls `listener` on every disconnect, reconnect and close of `nc` (at once with 'close' if it is
 * closed already). Returns the function that stops listening.
 */
export function onConnectionInterrupted(nc: NatsConnection, listener: Listener): () => void {
  if (nc.isClosed()) {
    queueMicrotask(() => listener('close'));
    return () => undefined;
  }
  let listeners = watchers.get(nc);
  if (!listeners) {
    const created = new Set<Listener>();
    watchers.set(nc, (listeners = created));
    void pump(nc, created).catch(() => undefined);
  }
  listeners.add(listener);
  const added = listeners;
  return () => void added.delete(listener);
}

async function pump(nc: NatsConnection, listeners: Set<Listener>): Promise<void> {
  const notify = (what: Interruption): void => {
    for (const l of [...listeners]) l(what);
  };
  let closed = false;
  try {
    for await (const status of nc.status()) {
      const what = interruptionOf(status);
      if (what === 'close') closed = true;
      if (what) notify(what);
    }
  } finally {
    // The client ends status iterators when the connection closes; make sure 'close' was told.
    watchers.delete(nc);
    if (!closed) notify('close');
  }
}
