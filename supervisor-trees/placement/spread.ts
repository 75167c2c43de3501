/** How the replicas of one actor are spread over nodes. */
export const Spread = {
  /** Pack replicas on the least-loaded eligible nodes; several may share a node. */
  None: 'none',
  /** One replica on each target site; `replicas` is ignored. */
  OnePerSite: 'one-per-site',
  /** At most one replica per node. */
  OnePerNode: 'one-per-node',
} as const;

export type Spread = (typeof Spread)[keyof typeof Spread];
