import os from 'node:os';
import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { Buckets, KvLayout, Streams, Subjects, decodeValue, isNodeAlive } from '../protocols/index.ts';
import type { NodeRecord } from '../protocols/index.ts';
import type { PeerSite } from './mailbox-infrastructure.ts';

/** What this machine offers, as a node registers it. */
export function machineResources(): { cpus: number; memoryMb: number } {
  return { cpus: os.availableParallelism?.() ?? os.cpus().length, memoryMb: Math.round(os.totalmem() / 1024 / 1024) };
}

/**
 * The stream that copies the peers' node registries (their KV streams) into this site. Sourcing
 * keeps the last record of every node, so a site whose link is down shows its nodes with the time
 * they were last seen, and they catch up when it returns.
 */
export function nodeRegistryStreamConfig(site: string, peers: readonly PeerSite[]): Partial<StreamConfig> & { name: string } {
  return {
    name: Streams.nodeRegistry(site),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_msgs_per_subject: 1,
    discard: DiscardPolicy.Old,
    sources: peers.map((p) => ({
      name: KvLayout.stream(Buckets.nodes(p.site)),
      ...(p.domain ? { external: { api: Subjects.jsApi(p.domain), deliver: '' } } : {}),
    })),
  };
}

export type NodeState = 'up' | 'dead' | 'left';

/** A node as a site sees it, with its state now. */
export interface RegisteredNode extends NodeRecord {
  /** up: heard within the node timeout; dead: missed it; left: shut down cleanly. */
  readonly state: NodeState;
}

/**
 * Every node this site knows: its own registry plus the copies of its peers' registries. Nodes
 * that shut down cleanly are listed as `left` when the deletion reached us.
 */
export async function readNodeRegistry(jsm: JetStreamManager, site: string, now: number, nodeTimeoutMs?: number): Promise<RegisteredNode[]> {
  const out: RegisteredNode[] = [];
  const read = async (stream: string): Promise<void> => {
    let info;
    try {
      info = await jsm.streams.info(stream, { subjects_filter: '>' });
    } catch {
      return; // no such registry (yet)
    }
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const m = await jsm.streams.getMessage(stream, { last_by_subj: subject }).catch(() => null);
      if (!m) continue;
      const op = m.header?.get('KV-Operation');
      if (op === 'DEL' || op === 'PURGE' || m.data.length === 0) continue;
      const record = decodeValue(m.data) as NodeRecord;
      out.push({ ...record, state: isNodeAlive(record, now, nodeTimeoutMs) ? 'up' : 'dead' });
    }
  };
  await read(KvLayout.stream(Buckets.nodes(site)));
  await read(Streams.nodeRegistry(site));
  return out.sort((a, b) => a.site.localeCompare(b.site) || a.id.localeCompare(b.id));
}
