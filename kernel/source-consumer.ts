import { DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Consumers, Streams, Subjects } from '../protocols/index.ts';
import type { Clock } from './clock.ts';
import { isNotFound, outboxStreamConfig, sourceConsumerConfig } from './mailbox-infrastructure.ts';
import type { MailboxLimits, PeerSite } from './mailbox-infrastructure.ts';
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

/**
 * Moves the durable consumer on `from`'s outbox for site `to` back so that its next message is
 * outbox sequence `seq` (nats-server's consumer reset API, `{ seq }`: the ack floor becomes
 * `seq - 1`). The caller has taken the source off its mailbox first; this waits (up to
 * `waitUnboundMs`) until no subscription is bound to the consumer any more, so that nothing is
 * sent before the source is set up again.
 */
export async function rewindSourceConsumer(nc: NatsConnection, from: PeerSite, to: string, seq: number, clock: Clock, waitUnboundMs = 5_000): Promise<void> {
  const jsm = await jetstreamManager(nc, { ...(from.domain ? { domain: from.domain } : {}), timeout: 2_000 });
  const stream = Streams.outbox(from.site);
  const name = Consumers.source(to);
  for (let waited = 0; waited < waitUnboundMs && (await jsm.consumers.info(stream, name)).push_bound; waited += 100) await clock.sleep(100);
  const api = from.domain ? Subjects.jsApi(from.domain) : '$JS.API';
  const reply = await nc.request(`${api}.CONSUMER.RESET.${stream}.${name}`, new TextEncoder().encode(JSON.stringify({ seq })), { timeout: 2_000 });
  const answer = JSON.parse(new TextDecoder().decode(reply.data)) as { error?: { description?: string; err_code?: number } };
  if (answer.error) throw new Error(`resetting consumer ${name} on ${stream} to sequence ${seq} failed: ${answer.error.description ?? JSON.stringify(answer.error)}`);
}
