import os from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { LeaseLoss } from './lease/index.ts';
import type { MailboxLimits, PeerSite } from './mailbox-infrastructure.ts';

export interface NodeOptions {
  /** NATS server URL(s). @default "nats://127.0.0.1:4222" */
  readonly servers?: string | string[];
  /** An existing connection to use instead of `servers`; the node will not close it. */
  readonly connection?: NatsConnection;
  /** The site this node belongs to. @default "local" */
  readonly site?: string;
  /**
   * This node's id, unique on its site and stable across restarts (orphaned guests and the node
   * registry are found by it). Another running process of the site with this id makes `connect`
   * fail with CAIRN_NODE_ID_IN_USE; an earlier run that died leaves a record that stops changing,
   * and the id is taken back once that is seen (two of its heartbeats). @default the host name,
   * sanitised, or, when a running node has it, the host name and this process's pid
   */
  readonly node?: string;
  /** Labels the node registers with (placement selects on them). */
  readonly labels?: Readonly<Record<string, string>>;
  /** JetStream domain of the site's server, when the connection goes through another domain. */
  readonly domain?: string;
  readonly mailbox?: Partial<MailboxLimits>;
  /**
   * Sites whose actors send to this site's actors: this site's leader forwards from their
   * outboxes into its mailbox stream (outbox-forwarder.ts). An edge lists the cloud (and edges it hears from directly); the cloud lists
   * its edges. Sending to any site needs nothing: it goes to this site's outbox.
   */
  readonly peers?: readonly PeerSite[];
  /** How long a message for an actor that is not running is held before dead-lettering. @default 10000 */
  readonly orphanTimeoutMs?: number;
  /** Node heartbeat period in the node registry. @default 1000 */
  readonly heartbeatMs?: number;
  /**
   * A site runs one leader node (it consumes the mailbox and runs the supervisors); other nodes of
   * the site wait as standbys and one takes over when the leader's lease is not renewed for this
   * long. @default 5000 (the node liveness timeout)
   */
  readonly leaseTtlMs?: number;
  /** Gives up waiting as a standby: `start` rejects with CAIRN_ABORTED. Ignored once the node leads. */
  readonly signal?: AbortSignal;
  /** Called when `start` finds another node leading the site and waits as its standby. */
  readonly onStandby?: (leader: string) => void;
  /** Called when this node, as leader, lost the site lease (it must stop: a standby may run its actors). */
  readonly onLeaseLost?: (loss: LeaseLoss) => void;
  /**
   * Called when the node's connection to its site's server drops ('disconnect': the server is gone
   * or unreachable; the client reconnects for ever), comes back ('reconnect'), or is closed. A
   * standby cannot take over while its server is gone, so `cairn site join` says so.
   */
  readonly onConnection?: (what: 'disconnect' | 'reconnect' | 'close') => void;
  /**
   * An event-loop delay this long is reported as a `stalled` event (and logged), naming the
   * handler that held the loop when one did. `Infinity` turns the watchdog off. @default 500
   */
  readonly stallThresholdMs?: number;
  /** How often guests' CPU and memory are sampled for `cairn ps` (container stats take ~1 s each). @default 5000 */
  readonly usageSampleMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** A node's id when none is given: the host name, made a valid name token. */
export function defaultNodeId(): string {
  return os.hostname().replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, 'n').slice(0, 128);
}

/** The ids a node without one tries, in order: the host name, then the host name and this process's pid. */
export function defaultNodeIds(): readonly string[] {
  const host = defaultNodeId();
  return [host, `${host.slice(0, 100)}-${process.pid}`];
}
