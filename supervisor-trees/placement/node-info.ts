/** A registered Cairn node as placement sees it: where it is, what it offers, when it last spoke. */
export interface NodeInfo {
  id: string;
  site: string;
  /** Includes `site`, `arch` and `os`; `site` here must equal {@link NodeInfo.site}. */
  labels: Record<string, string>;
  capacity: { cpu: number /* cores */; memoryMb: number };
  /** Clock time (ms) of the node's last heartbeat, on the same clock as `PlacementInput.now`. */
  lastSeen: number;
  /** A draining node keeps no assignments: everything on it is rebalanced elsewhere. */
  draining?: boolean;
}
