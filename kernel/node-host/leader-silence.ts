/** A hosted guest as the silence watchdog sees it. */
export interface HeardGuest {
  /** When the host last heard from the guest's leader (a ping or a frame), on the host's clock. */
  readonly lastHeard: number;
}

/**
 * The guests whose leader has been silent for longer than `timeoutMs` at `now`: their leader died
 * or was cut off, so they must be killed rather than run on as orphans.
 */
export function silentGuests<G extends HeardGuest>(guests: Iterable<G>, now: number, timeoutMs: number): G[] {
  return [...guests].filter((g) => now - g.lastHeard > timeoutMs);
}
