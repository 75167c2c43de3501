import type { JetStreamClient, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { CairnError, Headers, KernelCodes, Streams, decodeEnvelope, isCairnError } from '../protocols/index.ts';
import type { Envelope } from '../protocols/index.ts';

/** One dead letter as `cairn dlq ls` shows it. */
export interface DeadLetter {
  /** Sequence in the dead-letter stream: what `replay` and `purge` take. */
  readonly seq: number;
  readonly actor: string;
  readonly code: string;
  readonly reason: string;
  readonly attempts: number;
  /** The mailbox subject it came from (where replay sends it back). */
  readonly subject: string;
  readonly deadAt: string;
  /** True when it was stored without its payload (too large to copy with the headers); `size` is the original's. */
  readonly payloadOmitted?: boolean;
  /** The decoded envelope, or undefined when the payload itself was undecodable or omitted. */
  readonly envelope: Envelope | undefined;
  readonly size: number;
}

export interface ListOptions {
  /** Only dead letters of this actor. */
  readonly actor?: string;
  /** At most this many, oldest first. @default 100 */
  readonly limit?: number;
}

/** Lists, replays and purges a site's dead letters. Replay re-publishes the original bytes to the original mailbox, then deletes the dead letter. */
export class DeadLetterAdmin {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly site: string,
  ) {}

  async list(opts: ListOptions = {}): Promise<DeadLetter[]> {
    const stream = Streams.deadLetters(this.site);
    const info = await this.jsm.streams.info(stream);
    const out: DeadLetter[] = [];
    const limit = opts.limit ?? 100;
    // An empty stream reports first_seq 0, which no message has (asking for it is a bad request).
    if (info.state.messages === 0) return out;
    for (let seq = Math.max(1, info.state.first_seq); seq <= info.state.last_seq && out.length < limit; seq++) {
      const m = await this.get(seq);
      if (!m) continue;
      const dl = toDeadLetter(m);
      if (opts.actor === undefined || dl.actor === opts.actor) out.push(dl);
    }
    return out;
  }

  /** Sends dead letter `seq` back to its mailbox. Returns false when there is no such dead letter. */
  async replay(seq: number): Promise<boolean> {
    const m = await this.get(seq);
    if (!m) return false;
    if (m.header.get(Headers.dlqOmitted)) {
      throw new CairnError(KernelCodes.DEAD_LETTER_PAYLOAD_OMITTED, `dead letter ${seq} was stored without its payload (${m.header.get(Headers.dlqOmitted)} bytes, too large to copy): there is nothing to replay; purge it with \`cairn dlq purge ${seq}\``, { details: { seq } });
    }
    const subject = m.header.get(Headers.dlqSubject);
    // A new de-duplication id: the original id may still be inside the dedup window.
    await this.js.publish(subject, m.data, { msgID: `replay-${this.site}-${seq}` });
    await this.jsm.streams.deleteMessage(Streams.deadLetters(this.site), seq);
    return true;
  }

  async purge(seq?: number): Promise<number> {
    const stream = Streams.deadLetters(this.site);
    if (seq !== undefined) return (await this.jsm.streams.deleteMessage(stream, seq)) ? 1 : 0;
    const r = await this.jsm.streams.purge(stream);
    return r.purged;
  }

  private async get(seq: number): Promise<StoredMsg | null> {
    try {
      return await this.jsm.streams.getMessage(Streams.deadLetters(this.site), { seq });
    } catch (err) {
      if ((err as { code?: number }).code === 10037 || /no message found/i.test((err as Error).message)) return null;
      throw err;
    }
  }
}

function toDeadLetter(m: StoredMsg): DeadLetter {
  let envelope: Envelope | undefined;
  try {
    envelope = decodeEnvelope(m.data);
  } catch (err) {
    if (!isCairnError(err)) throw err;
  }
  const subject = m.header.get(Headers.dlqSubject);
  const omittedHeader = m.header.get(Headers.dlqOmitted);
  const omitted = omittedHeader ? Number(omittedHeader) : undefined;
  return {
    seq: m.seq,
    // The dead letter's own subject names its actor (cairn.dlq.<site>.<actor>); the subject it came
    // from may be another stream's (a direct source's message that could not be read).
    actor: m.subject.slice(m.subject.lastIndexOf('.') + 1),
    code: m.header.get(Headers.dlqCode),
    reason: m.header.get(Headers.dlqReason),
    attempts: Number(m.header.get(Headers.dlqAttempts) || 0),
    subject,
    deadAt: m.header.get(Headers.dlqTime),
    envelope,
    size: omitted === undefined ? m.data.length : omitted,
    ...(omitted === undefined ? {} : { payloadOmitted: true }),
  };
}
