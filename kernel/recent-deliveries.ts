import type { Clock } from './clock.ts';

/**
 * Messages from other sites this node has handled lately, by de-duplication key, for a time window
 * and up to a count. A receiving server that restarts may source a peer's outbox again from an
 * earlier position, and its WorkQueue mailbox no longer knows the ids of what it had acked: this is
 * what keeps a non-persisted actor from handling those messages twice. (A node that restarts too
 * forgets it; persisted actors are covered by their stored origin positions.)
 */
export class RecentDeliveries {
  /** Key → when it stops counting; insertion order is age order, so trimming takes from the front. */
  private readonly until = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly max: number,
  ) {}

  has(key: string): boolean {
    const until = this.until.get(key);
    return until !== undefined && until > this.clock.now();
  }

  add(key: string): void {
    const now = this.clock.now();
    this.until.delete(key);
    this.until.set(key, now + this.windowMs);
    for (const [k, t] of this.until) {
      if (this.until.size <= this.max && t > now) break;
      this.until.delete(k);
    }
  }

  get size(): number {
    return this.until.size;
  }
}
