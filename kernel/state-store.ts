import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { CairnError, KernelCodes, backoffDelayMs, decodeValue, encodeValue } from '../protocols/index.ts';
import type { Clock } from './clock.ts';

/** A persisted actor state and the stream sequence of the last message applied to it. */
export interface StoredState<S = unknown> {
  readonly seq: number;
  readonly state: S;
  /** Per origin outbox stream (messages from other sites), the sequence of the last one applied. */
  readonly origins: Readonly<Record<string, number>>;
  /** The mailbox stream `seq` numbers in (Delivery.mailbox); absent in records of an older Cairn. */
  readonly mailbox?: string;
}

/** How saveUntilStored waits and reports while the bucket refuses the save. */
export interface SaveRetry {
  readonly clock: Clock;
  readonly log: Logger;
  /** Stops the retries (the actor's incarnation ended): the message stays unacked, to be redelivered. */
  readonly signal: AbortSignal;
  /** Told of each failed save, with the wait before the next try. */
  readonly onRetry?: (err: Error, retryInMs: number) => void;
}

/**
 * Actor state in the site's KV bucket, one key per actor, value msgpack `{ v: 1, seq, state }`.
 * Saving the sequence with the state is what makes stateful actors effectively-once: a message
 * redelivered after a crash whose sequence is not above `seq` was already applied.
 */
export class StateStore {
  constructor(private readonly kv: KV) {}

  async load<S>(actor: string): Promise<StoredState<S> | undefined> {
    const entry = await this.kv.get(actor);
    if (!entry || entry.operation !== 'PUT' || entry.value.length === 0) return undefined;
    try {
      const raw = decodeValue(entry.value) as { v?: unknown; seq?: unknown; state?: unknown };
      if (raw?.v !== 1 || typeof raw.seq !== 'number') throw new Error(`unexpected record ${JSON.stringify(raw)?.slice(0, 80)}`);
      const origins = (raw as { origins?: unknown }).origins;
      const mailbox = (raw as { mailbox?: unknown }).mailbox;
      return { seq: raw.seq, state: raw.state as S, origins: typeof origins === 'object' && origins !== null ? (origins as Record<string, number>) : {}, ...(typeof mailbox === 'string' ? { mailbox } : {}) };
    } catch (cause) {
      throw new CairnError(KernelCodes.STATE_UNREADABLE, `persisted state of actor "${actor}" cannot be decoded; inspect or delete key "${actor}" in the state bucket to start from the initial state`, { cause, details: { actor } });
    }
  }

  async save(actor: string, seq: number, state: unknown, origins: Readonly<Record<string, number>> = {}, mailbox?: string): Promise<void> {
    await this.kv.put(actor, encodeValue({ v: 1, seq, state, origins, ...(mailbox === undefined ? {} : { mailbox }) }));
  }

  /**
   * Saves until it is stored: a message is acked only after its state is, so while KV is briefly
   * unavailable this waits (with backoff; the delivery is kept alive) rather than dead-letter a
   * message that did nothing wrong.
   */
  async saveUntilStored(actor: string, seq: number, state: unknown, origins: Readonly<Record<string, number>>, how: SaveRetry, mailbox?: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (how.signal.aborted) throw new CairnError(KernelCodes.ABORTED, `saving the state of actor "${actor}" stopped: its incarnation ended`, { cause: how.signal.reason });
      try {
        await this.save(actor, seq, state, origins, mailbox);
        return;
      } catch (err) {
        const retryInMs = backoffDelayMs(attempt + 1, { initialMs: 50, maxMs: 5_000 });
        how.log.warn({ actor, err: (err as Error).message, attempt, retryInMs }, 'saving state failed; retrying');
        how.onRetry?.(err as Error, retryInMs);
        await how.clock.sleep(retryInMs, how.signal).catch(() => undefined);
      }
    }
  }

  async delete(actor: string): Promise<void> {
    await this.kv.delete(actor);
  }
}
