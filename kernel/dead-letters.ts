import type { JsMsg, JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { Headers, Subjects } from '../protocols/index.ts';

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
  async put(msg: JsMsg, actor: string, why: DeadLetterReason): Promise<void> {
    try {
      await this.publish(msg, actor, why, false);
    } catch (err) {
      if (!/max_payload/i.test((err as Error)?.message ?? '')) throw err;
      await this.publish(msg, actor, why, true);
    }
  }

  private async publish(msg: JsMsg, actor: string, why: DeadLetterReason, omitPayload: boolean): Promise<void> {
    const h = natsHeaders();
    if (omitPayload) h.set(Headers.dlqOmitted, String(msg.data.length));
    h.set(Headers.dlqCode, why.code);
    // Header values must be one line; keep the first 1000 characters of the reason.
    h.set(Headers.dlqReason, why.reason.replace(/[\r\n]+/g, ' ').slice(0, 1000));
    h.set(Headers.dlqAttempts, String(why.attempts));
    h.set(Headers.dlqSubject, msg.subject);
    h.set(Headers.dlqStreamSeq, String(msg.seq));
    h.set(Headers.dlqTime, new Date(this.now()).toISOString());
    await this.js.publish(Subjects.deadLetter(this.site, actor), omitPayload ? new Uint8Array(0) : msg.data, {
      headers: h,
      // A redelivered poison message dead-lettered twice is stored once.
      msgID: `dlq-${this.site}-${msg.seq}`,
    });
  }
}
