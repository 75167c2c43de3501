/**
 * Control-plane messages: core NATS request/reply on `Subjects.control(site, node, verb)`, and
 * lifecycle events on `Subjects.event(...)`. Encoded as MessagePack maps (not envelopes).
 */
export const ControlVerbs = {
  ps: 'ps',
  tree: 'tree',
  /** Request body: msgpack `{ actor }`; reply: `LogsReply`. */
  logs: 'logs',
} as const;

/** Recent output of an actor's guest, newest last. */
export interface LogsReply {
  readonly v: 1;
  readonly actor: string;
  readonly found: boolean;
  readonly lines: readonly string[];
}
export type ControlVerb = (typeof ControlVerbs)[keyof typeof ControlVerbs];

/**
 * One line of an actor's guest output as it is written, published (core NATS, at most once) on
 * `Subjects.output(site, actor)` by the node the guest runs on: what `cairn logs -f` follows.
 */
export interface OutputLine {
  readonly v: 1;
  readonly site: string;
  readonly actor: string;
  /** The node whose worker, process or container wrote it. */
  readonly node: string;
  /** Which guest: "worker 3", "pid 1234", "container 0123abcd4567". */
  readonly guest: string;
  readonly line: string;
}

export type ActorStatus = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'failed';

/** One row of `cairn ps`. */
export interface ActorInfo {
  readonly id: string;
  readonly site: string;
  readonly node: string;
  readonly behaviour: string;
  readonly mode: 'inline' | 'worker' | 'process' | 'container';
  readonly status: ActorStatus;
  readonly restarts: number;
  readonly handled: number;
  readonly failed: number;
  /** Redeliveries not applied again because the persisted state already included them. */
  readonly skipped: number;
  /** Messages dropped unhandled because their time to live (`ttl`) had passed. */
  readonly expired: number;
  /** Messages sent to the dead letters because the actor's mailbox.capacity was reached. */
  readonly overflowed: number;
  readonly queued: number;
  readonly startedAt: number;
  readonly supervisor: string;
  /** The guest running a non-inline actor: "pid 1234", "container 3f2a...", "worker 2". */
  readonly guest?: string;
  /** CPU use of the guest, percent of one core (process and container modes). */
  readonly cpuPercent?: number;
  /** Resident memory of the guest in bytes (process and container modes). */
  readonly memoryBytes?: number;
  /** What the actor's behaviour says of itself (ActorSpec.figures): a bridge's peer and buffer. */
  readonly figures?: Readonly<Record<string, string | number | boolean>>;
}

export interface PsReply {
  readonly v: 1;
  readonly site: string;
  readonly node: string;
  readonly actors: readonly ActorInfo[];
}

/** A node of `cairn tree`: a supervisor with its children, or an actor leaf. */
export type TreeNode =
  | {
      readonly kind: 'supervisor';
      readonly id: string;
      readonly strategy: string;
      readonly intensity: number;
      readonly periodMs: number;
      readonly status: ActorStatus;
      readonly children: readonly TreeNode[];
    }
  | { readonly kind: 'worker'; readonly id: string; readonly restart: string; readonly status: ActorStatus; readonly restarts: number };

export interface TreeReply {
  readonly v: 1;
  readonly site: string;
  readonly node: string;
  readonly roots: readonly TreeNode[];
}

/** Node registration record in the `cairn_nodes_<site>` KV bucket, rewritten on every heartbeat. */
export interface NodeRecord {
  readonly v: 1;
  readonly id: string;
  readonly site: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly pid: number;
  readonly startedAt: number;
  readonly lastSeen: number;
  readonly heartbeatMs: number;
  /**
   * `leader`: holds the site lease, consumes the mailbox and runs the supervisors. `standby`: waits
   * to take over (and hosts actors the leader places on it). Absent in records of older nodes.
   */
  readonly role?: 'leader' | 'standby';
  /** What the node offers placement: CPU cores and memory. */
  readonly resources?: { readonly cpus: number; readonly memoryMb: number };
  /** Latest CPU (% of one core) and memory (bytes) of each actor running as a process or container. */
  readonly guests?: Readonly<Record<string, { readonly cpuPercent: number; readonly memoryBytes: number }>>;
}

/** Lifecycle event published when an actor starts, crashes, restarts or stops. */
export type ActorEvent =
  | { readonly v: 1; readonly type: 'started'; readonly actor: string; readonly restarts: number; readonly ts: number }
  | { readonly v: 1; readonly type: 'crashed'; readonly actor: string; readonly code: string; readonly reason: string; readonly ts: number }
  | { readonly v: 1; readonly type: 'stopped'; readonly actor: string; readonly reason: string; readonly ts: number }
  | { readonly v: 1; readonly type: 'dead-lettered'; readonly actor: string; readonly code: string; readonly reason: string; readonly ts: number }
  | { readonly v: 1; readonly type: 'expired'; readonly actor: string; readonly reason: string; readonly ts: number }
  | { readonly v: 1; readonly type: 'escalated'; readonly actor: string; readonly reason: string; readonly ts: number }
  /**
   * The node's event loop was held for `lagMs`: nothing else on the node (other actors, acks,
   * heartbeats, control requests) ran meanwhile. `actor` is the actor whose handler held it, when
   * one did (`handlerMs` its run), else `~<node>`.
   */
  | { readonly v: 1; readonly type: 'stalled'; readonly actor: string; readonly lagMs: number; readonly handlerMs?: number; readonly ts: number }
  /**
   * A stream holding messages for this actor (an application's route capture) is `used` (0 to 1)
   * full by `limit`: past it the stream drops its oldest messages. Raised once at 80 %, again
   * after it fell below 70 %.
   */
  | { readonly v: 1; readonly type: 'filling'; readonly actor: string; readonly stream: string; readonly used: number; readonly limit: 'messages' | 'bytes'; readonly code: string; readonly ts: number }
  /**
   * `count` of the oldest messages held for this actor were dropped from `stream` to keep its limit
   * (an application's device publishes on the server's MQTT store, after a `filling` event).
   */
  | { readonly v: 1; readonly type: 'dropped'; readonly actor: string; readonly stream: string; readonly count: number; readonly code: string; readonly ts: number }
  /** A side path of a message failed (e.g. storing its dead-letter copy, CAIRN_DEAD_LETTER_FAILED); the node retries it in `retryInMs`. */
  | { readonly v: 1; readonly type: 'retrying'; readonly actor: string; readonly code: string; readonly reason: string; readonly retryInMs: number; readonly ts: number };
