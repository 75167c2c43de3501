import type { Delivery } from './delivery.ts';
import type { StoredState } from './state-store.ts';
import { streamOfOriginKey } from './source-epochs.ts';

/**
 * How far a persisted actor's state goes: the mailbox sequence of the last message applied to it
 * and, per origin outbox (messages of other sites) and its epoch (see source-epochs.ts: an outbox
 * made again from scratch starts a new one), the origin sequence of the last one. Saved with the
 * state; what makes persisted actors effectively-once across crashes and re-sourcing.
 */
export class AppliedPositions {
  private seq = 0;
  private origins: Record<string, number> = {};
  /** The mailbox stream `seq` numbers in (undefined: not known, a record of an older Cairn). */
  private mailbox: string | undefined;

  /** Starts from what was stored with the state (nothing: from the beginning). */
  reset(stored: StoredState | undefined): void {
    this.seq = stored ? stored.seq : 0;
    this.origins = stored ? { ...stored.origins } : {};
    this.mailbox = stored?.mailbox;
  }

  /**
   * Whether the state already includes this delivery: a redelivery after a crash (same mailbox
   * sequence), or a message of another site re-sourced after a server restart (same origin
   * sequence, new mailbox sequence).
   */
  includes(d: Delivery): boolean {
    if (d.origin) return d.origin.seq <= (this.origins[d.origin.stream] ?? 0);
    // A mailbox stream made anew numbers from 1 again: nothing of it is applied yet.
    if (this.mailbox !== undefined && d.mailbox !== undefined && d.mailbox !== this.mailbox) return false;
    return d.seq <= this.seq;
  }

  /** What to save with the state once `d` is applied: the mailbox sequence and the origin positions. */
  after(d: Delivery): { readonly seq: number; readonly origins: Readonly<Record<string, number>>; readonly mailbox?: string } {
    const mailbox = d.origin ? this.mailbox : (d.mailbox ?? this.mailbox);
    if (d.origin) return { seq: this.seq, origins: withOrigin(this.origins, d.origin), ...(mailbox === undefined ? {} : { mailbox }) };
    return { seq: d.seq, origins: this.origins, ...(mailbox === undefined ? {} : { mailbox }) };
  }

  /** Records `d` as applied (after its state was stored). */
  record(d: Delivery): void {
    if (d.origin) this.origins = withOrigin(this.origins, d.origin);
    else {
      this.seq = d.seq;
      this.mailbox = d.mailbox ?? this.mailbox;
    }
  }
}

/** The positions with `origin`'s, replacing the same outbox's earlier epochs (nothing of those comes again). */
function withOrigin(origins: Readonly<Record<string, number>>, origin: { readonly stream: string; readonly seq: number }): Record<string, number> {
  const stream = streamOfOriginKey(origin.stream);
  const out: Record<string, number> = {};
  for (const [key, seq] of Object.entries(origins)) if (key === origin.stream || streamOfOriginKey(key) !== stream) out[key] = seq;
  out[origin.stream] = origin.seq;
  return out;
}
