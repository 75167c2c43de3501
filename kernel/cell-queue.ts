import type { Delivery } from './delivery.ts';

/**
 * An actor's held deliveries in stream order, the head being the one handled (or next). With a
 * capacity (the actor's mailbox.capacity) it holds the head plus at most that many waiting and
 * refuses the rest, counting them; the node dead-letters what it refuses.
 */
export class CellQueue {
  private readonly items: Delivery[] = [];

  constructor(private readonly capacity: number | undefined, private readonly onOverflow: () => void) {}

  get length(): number {
    return this.items.length;
  }

  get head(): Delivery | undefined {
    return this.items[0];
  }

  /** Appends a delivery; false (and counted) when the capacity is reached (not for one its source bounds). */
  push(d: Delivery): boolean {
    if (this.capacity !== undefined && this.items.length > this.capacity && d.boundedBySource !== true) {
      this.onOverflow();
      return false;
    }
    this.items.push(d);
    return true;
  }

  shift(): void {
    this.items.shift();
  }

  /** Removes and returns every delivery (the actor is being removed). */
  takeAll(): Delivery[] {
    return this.items.splice(0, this.items.length);
  }

  all(): readonly Delivery[] {
    return this.items;
  }
}
