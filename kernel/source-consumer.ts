import { DeliverPolicy } from '@nats-io/jetstream';
import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import { Consumers, Streams } from '../protocols/index.ts';
import { isNotFound, outboxStreamConfig, sourceConsumerConfig } from './mailbox-infrastructure.ts';
import type { MailboxLimits } from './mailbox-infrastructure.ts';
import { sourceStart } from './source-epochs.ts';

/**
 * Creates (or brings up to date) the durable consumer on `from`'s outbox for site `to`, creating
 * the outbox when `from` never ran a node (its node later updates it to its own limits). A new
 * consumer starts after `sourcedUpTo` when given (what the mailbox already copied) and the outbox
 * is the one it was copied from (`epoch.known`, see sourceStart), else at the oldest message; an
 * existing one keeps its position and is updated to the current config. Resolves with the
 * outbox's creation time.
 */
export async function ensureSourceConsumer(
  jsm: JetStreamManager,
  from: string,
  to: string,
  limits: MailboxLimits,
  sourcedUpTo?: number,
  epoch: { readonly known?: string | undefined; readonly beforeNewOutbox?: () => Promise<void> } = {},
): Promise<{ readonly created: string }> {
  const stream = Streams.outbox(from);
  let outbox: StreamInfo;
  let createdNow = false;
  try {
    outbox = await jsm.streams.info(stream);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    outbox = await jsm.streams.add(outboxStreamConfig(from, limits));
    createdNow = true;
  }
  const config = sourceConsumerConfig(from, to);
  const existing = await jsm.consumers.info(stream, Consumers.source(to)).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (existing === undefined) {
    const start = sourceStart({ sourcedUpTo, known: epoch.known, outbox: { created: outbox.created, lastSeq: outbox.state.last_seq, createdNow } });
    if (start.from === 'first' && start.newOutbox) await epoch.beforeNewOutbox?.();
    await jsm.consumers.add(stream, start.from === 'after' ? { ...config, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.seq + 1 } : config);
    return { created: outbox.created };
  }
  // Where it delivers from cannot change; everything else follows this version's config.
  const { deliver_policy: _startsWhereItWasCreated, ...updatable } = config;
  await jsm.consumers.update(stream, Consumers.source(to), updatable);
  return { created: outbox.created };
}
