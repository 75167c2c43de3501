/*
 * Counting what the outbound buffer dropped: every stream sequence up to the floor is accounted
 * for (delivered to the pump, or counted as dropped). A message the pump gets at sequence s, or a
 * stream whose first message is s, says everything between the floor and s left the stream
 * unsent: removed by a limit. Pure.
 */

export interface DropCount {
  /** Messages dropped since the floor. */
  readonly dropped: number;
  /** The new floor. */
  readonly floor: number;
}

/** What a delivery at stream sequence `seq` says, with `floor` accounted for so far. */
export function dropsBeforeDelivery(floor: number, seq: number): DropCount {
  return seq <= floor ? { dropped: 0, floor } : { dropped: seq - floor - 1, floor: seq };
}

/**
 * What the stream's first sequence says, once the consumer's delivered sequence is accounted for
 * (delivered messages left the stream by their ack, not by a limit).
 */
export function dropsBeforeFirst(floor: number, firstSeq: number, deliveredSeq: number): DropCount {
  const known = Math.max(floor, deliveredSeq);
  return firstSeq - 1 > known ? { dropped: firstSeq - 1 - known, floor: firstSeq - 1 } : { dropped: 0, floor: known };
}
