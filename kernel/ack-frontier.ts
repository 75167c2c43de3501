import type { JsMsg } from '@nats-io/jetstream';

/** What the frontier needs of a message: its stream sequence, and its ack. */
export type FrontierMsg = Pick<JsMsg, 'ack'> & { readonly info: { readonly streamSequence: number } };

/**
 * The acks of a consumer whose ack policy is `all`, where one ack of stream sequence S acks every
 * message up to S: only a message below which everything read was finished may be acked. Each
 * message read is tracked; when it is finished (handled, dead-lettered, skipped), the newest
 * finished message below the oldest unfinished one is acked — a moment later, together with what
 * finishes meanwhile (`delayMs`, or at once every `every`): one ack for many. A message finished
 * behind one that is not waits; past the consumer's ack wait the server hands it out again, and
 * its reader finds it handled. Pure but for the acks and the timer.
 */
export class AckFrontier {
  /** Tracked stream sequences, ascending; each with its message and whether it is finished. */
  private readonly order: number[] = [];
  private readonly tracked = new Map<number, { m: FrontierMsg; done: boolean }>();
  /** The newest message the frontier passed and has not acked yet. */
  private due: FrontierMsg | undefined;
  private sinceAck = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs = 2,
    private readonly every = 64,
  ) {}

  /** A message read (again: a redelivery of one finished and not yet acked is unfinished anew). */
  track(m: FrontierMsg): void {
    const seq = m.info.streamSequence;
    const known = this.tracked.get(seq);
    if (known) {
      known.m = m;
      known.done = false;
      return;
    }
    this.tracked.set(seq, { m, done: false });
    // Read in stream order but for redeliveries: insert from the back.
    let i = this.order.length;
    while (i > 0 && this.order[i - 1]! > seq) i--;
    this.order.splice(i, 0, seq);
  }

  /** A message finished: acked once nothing read below it is unfinished. An untracked one is left to the server (it comes again). */
  finish(m: FrontierMsg): void {
    const entry = this.tracked.get(m.info.streamSequence);
    if (!entry) return;
    entry.done = true;
    let passed = 0;
    while (this.order.length > 0) {
      const head = this.tracked.get(this.order[0]!)!;
      if (!head.done) break;
      this.due = head.m;
      this.tracked.delete(this.order.shift()!);
      passed++;
    }
    if (passed === 0) return;
    this.sinceAck += passed;
    if (this.sinceAck >= this.every) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Sends the ack that is due, now (before the consumer is made again or the source stops). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.sinceAck = 0;
    const m = this.due;
    this.due = undefined;
    try {
      m?.ack();
    } catch {
      // The connection is closing or closed: what it covered comes again, as anything unacked does.
    }
  }

  /** Forgets what is tracked (a stream made anew numbers from 1 again); what is due is acked first. */
  reset(): void {
    this.flush();
    this.order.length = 0;
    this.tracked.clear();
  }

  /** How many read messages wait for the frontier (finished or not). */
  get size(): number {
    return this.order.length;
  }
}
