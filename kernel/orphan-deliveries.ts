import type { Delivery } from './delivery.ts';

/** What becomes of orphans at a sweep (see OrphanDeliveries.sweep). */
export interface OrphanSweep {
  readonly now: number;
  /** How long an orphan waits for its actor before it is dead-lettered. */
  readonly timeoutMs: number;
  /** An orphan whose ttl passed: dropped (acked), not dead-lettered. */
  expired(d: Delivery, actor: string): void;
  /** An orphan that waited `timeoutMs`: dead-lettered. */
  timedOut(d: Delivery, actor: string): void;
  /** An orphan still waiting: kept alive on the server. */
  waiting(d: Delivery): void;
}

/**
 * Deliveries for actors that do not run on this node (yet), per actor in stream order: handed to
 * an actor's cell when it is spawned, dropped when their ttl passes, dead-lettered after a timeout.
 */
export class OrphanDeliveries {
  private readonly byActor = new Map<string, Delivery[]>();

  hold(d: Delivery): void {
    const list = this.byActor.get(d.actor);
    if (list) list.push(d);
    else this.byActor.set(d.actor, [d]);
  }

  /** Takes the orphans waiting for `actor`, in order. */
  take(actor: string): Delivery[] {
    const list = this.byActor.get(actor) ?? [];
    this.byActor.delete(actor);
    return list;
  }

  /** Takes them all (they go back to the server). */
  takeAll(): Delivery[] {
    const all = [...this.byActor.values()].flat();
    this.byActor.clear();
    return all;
  }

  sweep(s: OrphanSweep): void {
    for (const [actor, list] of this.byActor) {
      // A message whose ttl passed while it waited for its actor is dropped, not dead-lettered.
      for (let i = list.length - 1; i >= 0; i--) {
        const d = list[i]!;
        if (d.expiresAt === undefined || s.now < d.expiresAt) continue;
        list.splice(i, 1);
        s.expired(d, actor);
      }
      while (list.length > 0 && s.now - list[0]!.receivedAt >= s.timeoutMs) s.timedOut(list.shift()!, actor);
      if (list.length === 0) this.byActor.delete(actor);
      else list.forEach((d) => s.waiting(d));
    }
  }
}
