import { DeliverPolicy } from '@nats-io/jetstream';
import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Consumers, Streams, Subjects } from '../protocols/index.ts';
import { isNotFound, outboxStreamConfig, sourceConsumerConfig } from './mailbox-infrastructure.ts';
import type { MailboxLimits, PeerSite } from './mailbox-infrastructure.ts';
import { sourceStart } from './source-epochs.ts';

/**
 * Creates (or brings up to date) the durable consumer on `from`'s outbox for site `to`, creating
 * the outbox when `from` never ran a node (its node later updates it to its own limits). A new
 * consumer starts after `sourcedUpTo` when given (how far the mailbox got) and the outbox is the
 * one it got there in (`epoch.known`, see sourceStart), else at the oldest message; an existing
 * one keeps its position and is updated to the current config. The push consumer an older Cairn's
 * durable source used (same name, a deliver subject) is replaced by a pull consumer starting after
 * the further of its ack floor and `sourcedUpTo`. Resolves with the outbox's creation time.
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
  let existing = await jsm.consumers.info(stream, Consumers.source(to)).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  let upTo = sourcedUpTo;
  if (existing?.config.deliver_subject) {
    upTo = Math.max(existing.ack_floor.stream_seq, sourcedUpTo ?? 0);
    await jsm.consumers.delete(stream, Consumers.source(to));
    existing = undefined;
  }
  if (existing === undefined) {
    const start = sourceStart({ sourcedUpTo: upTo, known: epoch.known, outbox: { created: outbox.created, lastSeq: outbox.state.last_seq, createdNow } });
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
 * Moves the durable consumer on `from`'s outbox for site `to` back to its ack floor (nats-server's
 * consumer reset API, 2.14+): every message it delivered and nobody acked is delivered again, in
 * order, before any later one. A forwarder does this each time it starts pulling, so a message
 * delivered to a pull that was lost (a link cut, a forwarder that stopped) is never overtaken.
 */
export async function resetSourceConsumer(nc: NatsConnection, from: PeerSite, to: string, timeoutMs = 2_000): Promise<void> {
  const stream = Streams.outbox(from.site);
  const name = Consumers.source(to);
  const api = from.domain ? Subjects.jsApi(from.domain) : '$JS.API';
  const reply = await nc.request(`${api}.CONSUMER.RESET.${stream}.${name}`, new Uint8Array(0), { timeout: timeoutMs });
  const answer = JSON.parse(new TextDecoder().decode(reply.data)) as { error?: { description?: string; code?: number; err_code?: number } };
  if (answer.error) {
    throw Object.assign(new Error(`resetting consumer ${name} on ${stream} to its ack floor failed: ${answer.error.description ?? JSON.stringify(answer.error)}`), { code: answer.error.err_code ?? answer.error.code });
  }
}
