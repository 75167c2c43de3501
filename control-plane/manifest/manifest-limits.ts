/**
 * The largest value each numeric manifest field takes, and why. A manifest is input from anyone who
 * can apply: a node must never materialise work or wait times proportional to an unbounded number
 * from it (docs/manifest.md, "Limits").
 */
export const ManifestLimits = {
  /** Longest delay a Node.js timer can wait (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
  timerMs: 2_147_483_647,
  /** Copies of one actor: each is a supervised child and a mailbox on its site. */
  replicas: 1_000,
  /** Instances one application may ask a site for (the sum of its actors' replicas); a site may set less. */
  instancesPerApp: 10_000,
  /** Restarts a supervisor allows within its period. */
  intensity: 10_000,
  /** Growth of the restart delay per restart; beyond this the delay is at its maximum after one step anyway. */
  multiplier: 100,
  /** Deliveries of one message before it is dead-lettered. */
  maxAttempts: 1_000,
  /** Per-actor mailbox capacity: messages held in the node's memory for one actor. */
  capacity: 10_000_000,
  /** CPU cores a container may use. */
  cpu: 1_024,
  /** Memory of a container, in MiB (4 TiB). */
  memoryMb: 4_194_304,
  /** Processes and threads in a container (Linux's highest pid_max). */
  pids: 4_194_304,
  /** Size of a manifest's text: its stored record must fit in one message of the server (1 MiB by default). */
  bytes: 1_048_576,
  /** Nesting of mappings and lists; a manifest needs about ten. */
  depth: 64,
  /** YAML alias expansions (anchors used with *name): bounds "billion laughs" documents. */
  aliases: 100,
} as const;
