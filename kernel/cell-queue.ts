import type { Delivery } from './delivery.ts';

/**
 * An actor's held deliveries in stream order, the head being the one handled (or next). With a
 * capacity (the actor's mailbox.capacity) it holds the head plus at most that many mailbox messages
 * waiting and refuses the rest, counting them; the node dead-letters what it refuses. Deliveries
 * whose source bounds them (Delivery.boundedBySource) neither count nor are refused.
 */
export class CellQueue {
  private readonly items: Delivery[] = [];
  /** How many of `items` count against the capacity. */
  private counted = 0;

  constructor(private readonly capacity: number | undefined, private readonly onOverflow: () => void) {}

  get length(): number {
    return this.items.length;
  }

  get head(): Delivery | undefined {
    return this.items[0];
  }

  /** Appends a delivery; false (and counted) when the capacity is reached (not for one its source bounds). */
  push(d: Delivery): boolean {
    const counts = d.boundedBySource !== true;
    if (counts && this.capacity !== undefined && this.counted > this.capacity) {
      this.onOverflow();
      return false;
    }
    this.items.push(d);
    if (counts) this.counted++;
    return true;
  }

  shift(): void {
    const d = this.items.shift();
    if (d && d.boundedBySource !== true) this.counted--;
  }

  /** Removes and returns every delivery (the actor is being removed). */
  takeAll(): Delivery[] {
    this.counted = 0;
    return this.items.splice(0, this.items.length);
  }

  /** Removes and returns the deliveries behind the head that `pick` selects (the head may be in hand). */
  takeWaiting(pick: (d: Delivery) => boolean): Delivery[] {
    const taken: Delivery[] = [];
    for (let i = this.items.length - 1; i >= 1; i--) {
      const d = this.items[i]!;
      if (!pick(d)) continue;
      this.items.splice(i, 1);
      if (d.boundedBySource !== true) this.counted--;
      taken.unshift(d);
    }
    return taken;
  }

  all(): readonly Delivery[] {
    return this.items;
  }
}
