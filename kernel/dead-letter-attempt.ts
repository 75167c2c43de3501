import { KernelCodes, backoffDelayMs } from '../protocols/index.ts';
import type { LoopCell } from './cell-deps.ts';
import type { Delivery } from './delivery.ts';
import type { Message } from './message.ts';

/**
 * Stores a delivery's dead-letter copy. True once stored. When the copy cannot be stored, the
 * delivery keeps what to store and waits with backoff (a `retrying` event says so): the loop
 * retries the copy, not the handler, and the node's other actors carry on meanwhile.
 */
export async function storeDeadLetter<M extends Message, S>(cell: LoopCell<M, S>, d: Delivery, why: { readonly code: string; readonly reason: string }): Promise<boolean> {
  const { clock, log } = cell.deps;
  try {
    await cell.deps.deadLetters.put(d.msg, cell.id, { ...why, attempts: d.attempts }, d.copy);
  } catch (err) {
    d.deadLetter = why;
    d.sideFailures = (d.sideFailures ?? 0) + 1;
    const retryInMs = backoffDelayMs(d.sideFailures, { initialMs: 100, maxMs: 5_000 });
    d.notBefore = clock.now() + retryInMs;
    const reason = `its dead-letter copy could not be stored: ${(err as Error).message}`;
    log.error({ actor: cell.id, msgId: d.envelope.id, err: (err as Error).message, retryInMs }, 'could not dead-letter a message; keeping it and trying again');
    cell.deps.events.emit({ v: 1, type: 'retrying', actor: cell.id, code: KernelCodes.DEAD_LETTER_FAILED, reason, retryInMs, ts: clock.now() });
    return false;
  }
  cell.deps.events.emit({ v: 1, type: 'dead-lettered', actor: cell.id, code: why.code, reason: why.reason, ts: clock.now() });
  return true;
}
