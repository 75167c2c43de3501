import type { JsMsg, JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { Headers, Subjects } from '../protocols/index.ts';

/** A dead-letter copy that is not the message read: see Delivery.copy. */
export interface DeadLetterCopy {
  readonly data: Uint8Array;
  readonly subject: string;
  readonly stream: string;
}

export interface DeadLetterReason {
  readonly code: string;
  readonly reason: string;
  readonly attempts: number;
}

/**
 * Copies a mailbox message, byte for byte, to the site's dead-letter stream with why it failed.
 * Only after that copy is stored does the caller ack the original, so nothing is lost.
 */
export class DeadLetters {
  constructor(
    private readonly js: JetStreamClient,
    private readonly site: string,
    private readonly now: () => number,
  ) {}

  /**
   * Stores the copy; when the original plus the dead-letter headers is more than the server takes
   * in one message, a marker without the payload instead (its size in Cairn-Dlq-Omitted), so that
   * a message near max_payload is dead-lettered rather than left to fail for ever. Throws when the
   * stream refuses even that.
   */
  async put(msg: JsMsg, actor: string, why: DeadLetterReason, copy?: DeadLetterCopy): Promise<void> {
    try {
      await this.publish(msg, actor, why, false, copy);
    } catch (err) {
      if (!/max_payload/i.test((err as Error)?.message ?? '')) throw err;
      await this.publish(msg, actor, why, true, copy);
    }
  }

  private async publish(msg: JsMsg, actor: string, why: DeadLetterReason, omitPayload: boolean, copy: DeadLetterCopy | undefined): Promise<void> {
    const data = copy?.data ?? msg.data;
    const h = natsHeaders();
    if (omitPayload) h.set(Headers.dlqOmitted, String(data.length));
    h.set(Headers.dlqCode, why.code);
    // Header values must be one line; keep the first 1000 characters of the reason.
    h.set(Headers.dlqReason, why.reason.replace(/[\r\n]+/g, ' ').slice(0, 1000));
    h.set(Headers.dlqAttempts, String(why.attempts));
    h.set(Headers.dlqSubject, copy?.subject ?? msg.subject);
    h.set(Headers.dlqStreamSeq, String(msg.seq));
    h.set(Headers.dlqTime, new Date(this.now()).toISOString());
    await this.js.publish(Subjects.deadLetter(this.site, actor), omitPayload ? new Uint8Array(0) : data, {
      headers: h,
      // A redelivered poison message dead-lettered twice is stored once (a sequence of another stream than the mailbox is told apart by its name).
      msgID: copy ? `dlq-${this.site}-${actor}-${copy.stream}-${msg.seq}` : `dlq-${this.site}-${msg.seq}`,
    });
  }
}
