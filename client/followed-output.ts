import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { Subjects, decodeValue } from '../protocols/index.ts';
import type { OutputLine } from '../protocols/index.ts';

/**
 * Lines that came live while the recent output was being fetched may also be at its end: how many
 * of the first `early` lines the end of `recent` already shows (the longest such start), so that a
 * line is printed once. When identical lines repeat at the seam the longer overlap is taken: a
 * repeated line may be shown once where it was written twice, never one line twice.
 */
export function seamOverlap(recent: readonly string[], early: readonly string[]): number {
  for (let overlap = Math.min(recent.length, early.length); overlap > 0; overlap--) {
    let same = true;
    for (let i = 0; i < overlap && same; i++) same = recent[recent.length - overlap + i] === early[i];
    if (same) return overlap;
  }
  return 0;
}

/** A live subscription to an actor's output lines (see CairnClient.followActorLogs). */
export class FollowedOutput implements AsyncIterable<OutputLine> {
  private constructor(private readonly sub: Subscription) {}

  /** Subscribes, and resolves once the server has the interest (a line written after this is seen). */
  static async open(nc: NatsConnection, site: string, actor: string, signal?: AbortSignal): Promise<FollowedOutput> {
    const sub = nc.subscribe(Subjects.output(site, actor));
    const followed = new FollowedOutput(sub);
    if (signal?.aborted) followed.close();
    else signal?.addEventListener('abort', () => followed.close(), { once: true });
    await nc.flush();
    return followed;
  }

  /** Ends the iteration (also done by the signal given to open). */
  close(): void {
    if (!this.sub.isClosed()) this.sub.unsubscribe();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<OutputLine> {
    try {
      for await (const m of this.sub) {
        let line: OutputLine;
        try {
          line = decodeValue(m.data) as OutputLine;
        } catch {
          continue; // not Cairn's: someone else published on the subject
        }
        if (typeof line?.line === 'string') yield line;
      }
    } finally {
      this.close();
    }
  }
}
