import type { Logger } from 'pino';
import type { KV } from '@nats-io/kv';
import { decodeValue, isNodeAlive } from '../protocols/index.ts';
import type { NodeRecord } from '../protocols/index.ts';

/**
 * The nodes of this node's own site as the registry bucket says now, kept current by one KV watch:
 * what placement places on and what remote guests are judged alive by, without a read per check.
 */
export class NodeDirectory {
  private readonly records = new Map<string, NodeRecord>();
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly log: Logger) {}

  /** Opens a watch on the site's registry bucket; it ends when `signal` aborts. Resolves once the current records are in. */
  static async open(kv: KV, signal: AbortSignal, log: Logger): Promise<NodeDirectory> {
    const dir = new NodeDirectory(log);
    let caughtUp!: () => void;
    const ready = new Promise<void>((r) => (caughtUp = r));
    const watch = await kv.watch();
    // The watch delivers the current records first; `delta` is how many more are pending.
    if ((await kv.status()).values === 0) caughtUp();
    signal.addEventListener('abort', () => void watch.stop(), { once: true });
    void (async () => {
      for await (const e of watch) {
        if (e.delta === 0) queueMicrotask(caughtUp);
        if (e.operation !== 'PUT' || e.value.length === 0) {
          dir.records.delete(e.key);
        } else {
          try {
            dir.records.set(e.key, decodeValue(e.value) as NodeRecord);
          } catch (err) {
            dir.log.warn({ key: e.key, err: (err as Error).message }, 'unreadable node registry record');
            continue;
          }
        }
        for (const l of [...dir.listeners]) l();
      }
    })();
    await ready;
    return dir;
  }

  /** Calls `listener` after every change of a record (each heartbeat too); returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Every registered node of the site, alive or not, sorted by id. */
  all(): NodeRecord[] {
    return [...this.records.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): NodeRecord | undefined {
    return this.records.get(id);
  }

  /** Alive by the one liveness rule (protocols/node-liveness.ts); false for unknown or departed nodes. */
  isAlive(id: string, now: number): boolean {
    const r = this.records.get(id);
    return r !== undefined && isNodeAlive(r, now);
  }
}
