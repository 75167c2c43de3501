import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { encodeValue } from '../protocols/index.ts';
import type { NodeRecord } from '../protocols/index.ts';
import { machineResources } from './node-registry.ts';

/**
 * A node's entry in its site's node registry (`cairn_nodes_<site>`): written every `heartbeatMs`
 * until `signal` aborts, deleted when the node leaves cleanly. Placement, `cairn nodes` and
 * standbys read it; a node that misses heartbeats is dead to them.
 */
export class NodeHeartbeat {
  constructor(
    private readonly kv: KV,
    /** The record as of now (role, guests and lastSeen change). */
    private readonly record: () => NodeRecord,
    private readonly heartbeatMs: number,
    private readonly log: Logger,
  ) {}

  /** Writes the record now. */
  async beat(): Promise<void> {
    const record = this.record();
    await this.kv.put(record.id, encodeValue(record));
  }

  /** Beats now and then every `heartbeatMs` until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    await this.beat();
    if (signal.aborted) return;
    const timer = setInterval(() => void this.beat().catch((err) => this.log.warn({ err }, 'heartbeat failed')), this.heartbeatMs);
    timer.unref();
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }

  /** Removes the entry: the node left (standbys need not wait for it to look dead). */
  async leave(id: string): Promise<void> {
    await this.kv.delete(id).catch(() => undefined);
  }
}

export interface NodeRecordInput {
  readonly id: string;
  readonly site: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly startedAt: number;
  readonly now: number;
  readonly heartbeatMs: number;
  readonly role: 'leader' | 'standby';
  readonly guests: NodeRecord['guests'];
}

/** The labels a node registers with: its site, CPU architecture and OS, then the ones it was given. */
export function nodeLabels(site: string, given: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { site, arch: process.arch, os: process.platform, ...given };
}

/** A node's registry record: who and where it is, its labels, role and resources, and its guests' usage. */
export function nodeRecord(i: NodeRecordInput): NodeRecord {
  return { v: 1, id: i.id, site: i.site, labels: i.labels, pid: process.pid, startedAt: i.startedAt, lastSeen: i.now, heartbeatMs: i.heartbeatMs, role: i.role, resources: machineResources(), guests: i.guests };
}
