// The lines the long-running commands (`cairn up`, `cairn site up`, `cairn site join`) print when
// their node's role changes: tests and scripts wait for their prefixes.

/** The line tests and scripts wait for: everything runs once it is printed. */
export const READY_PREFIX = 'ready:';

/** Printed (after READY_PREFIX's line would be too late) when the node waits as a standby. */
export const STANDBY_PREFIX = 'standby:';

/** What a node waiting as a standby says, each time the leader it waits behind changes. */
export function standbyLine(leader: string, site: string): string {
  return `${STANDBY_PREFIX} node ${leader} leads site ${site}; this node waits as its standby and takes over if it stops or its lease expires`;
}
