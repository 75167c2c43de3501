import type { JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { isNotFound } from '../kernel/index.ts';

/** Deletes a stream the control plane owns; one already gone is fine, any other failure is logged (a sweep tries again). */
export async function deleteOwnedStream(jsm: JetStreamManager, log: Logger, stream: string, what: string): Promise<void> {
  try {
    await jsm.streams.delete(stream);
    log.info({ stream }, `${what} removed`);
  } catch (err) {
    if (!isNotFound(err)) log.warn({ err, stream }, `${what} not removed`);
  }
}
