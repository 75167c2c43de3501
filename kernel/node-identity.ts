import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { CairnError, KernelCodes, decodeValue } from '../protocols/index.ts';
import type { NodeRecord } from '../protocols/index.ts';
import type { Clock } from './clock.ts';

/** What the registry showed of a node id: its record's revision and content, or nothing. */
export interface IdSighting {
  readonly revision: number;
  readonly record: Pick<NodeRecord, 'pid' | 'heartbeatMs'>;
}

export type IdVerdict =
  /** Nobody has it, or its last record stopped changing: this process may be that node. */
  | { readonly verdict: 'free'; readonly stale: boolean }
  /** Another running process heartbeats under this id. */
  | { readonly verdict: 'in-use'; readonly pid: number }
  /** Its record has not changed yet, but its holder may still beat: look again in `inMs`. */
  | { readonly verdict: 'watch'; readonly inMs: number };

/**
 * Whether a node id is taken by a live process, from the registry record first seen (`first`), the
 * one seen now (`now`) and how long we watched. A live node rewrites its record every heartbeat; a
 * record that stays unchanged for two of its heartbeats (and a bit) belongs to a run that is gone.
 * Revisions, not the timestamps in the record, decide: another machine's clock plays no part. Pure.
 */
export function idVerdict(first: IdSighting | undefined, now: IdSighting | undefined, watchedMs: number): IdVerdict {
  if (first === undefined || now === undefined) return { verdict: 'free', stale: false };
  if (now.revision !== first.revision) return { verdict: 'in-use', pid: now.record.pid };
  const patienceMs = 2 * first.record.heartbeatMs + 250;
  if (watchedMs >= patienceMs) return { verdict: 'free', stale: true };
  return { verdict: 'watch', inMs: Math.min(patienceMs - watchedMs, Math.max(50, first.record.heartbeatMs / 4)) };
}

export interface ClaimNodeIdOptions {
  /** The site's node registry (`cairn_nodes_<site>`). */
  readonly nodes: KV;
  readonly site: string;
  /** The id asked for (`NodeOptions.node`); undefined: `fallback[0]` and, if taken, the next ones. */
  readonly explicit?: string | undefined;
  /** Default ids in order of preference (the host name, then the host name with this process's pid). */
  readonly fallback: readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly signal?: AbortSignal | undefined;
  /**
   * The registry record this process writes to take an id, atomically (create where none is, or
   * update the stale one at the revision it was seen at): of two processes starting with the same
   * id at the same instant, one wins and the other sees the id in use.
   */
  readonly claim: (id: string) => Uint8Array;
}

/** How often a process that lost the race for an id looks at it again before giving up on it. */
const CLAIM_ATTEMPTS = 3;

/**
 * The id this process runs as: the explicit one unless another live process of the site has it
 * (CAIRN_NODE_ID_IN_USE), else the first free default. A node restarted after its earlier run died
 * gets its id back once that run's record is seen to be stale (at most two of its heartbeats).
 */
export async function claimNodeId(o: ClaimNodeIdOptions): Promise<string> {
  const candidates = o.explicit !== undefined ? [o.explicit] : o.fallback;
  for (const id of candidates) {
    let verdict = await watchId(o, id);
    for (let attempt = 1; verdict.verdict === 'free'; attempt++) {
      if (await take(o, id, verdict.seenRevision)) {
        if (verdict.stale) o.log.info({ node: id }, 'an earlier run of this node left its registry record: taking the id over');
        return id;
      }
      // Another process wrote the id between our look and our claim: look again (it heartbeats if it lives).
      verdict = attempt < CLAIM_ATTEMPTS ? await watchId(o, id) : { verdict: 'in-use', pid: (await sight(o.nodes, id))?.record.pid ?? 0 };
    }
    if (o.explicit !== undefined) {
      throw new CairnError(KernelCodes.NODE_ID_IN_USE, `node id "${id}" is in use on site ${o.site} by a running process (pid ${verdict.pid}); stop it, or give this one another id (--node, NodeOptions.node)`, { details: { site: o.site, node: id, pid: verdict.pid } });
    }
    o.log.info({ node: id, pid: verdict.pid }, 'the default node id is in use by another running process on this site; trying the next');
  }
  throw new CairnError(KernelCodes.NODE_ID_IN_USE, `node ids ${candidates.map((c) => `"${c}"`).join(', ')} are all in use on site ${o.site}; give this node an id (--node, NodeOptions.node)`, { details: { site: o.site } });
}

type Seen = (IdVerdict & { verdict: 'in-use' }) | (IdVerdict & { verdict: 'free'; readonly seenRevision: number | undefined });

async function watchId(o: ClaimNodeIdOptions, id: string): Promise<Seen> {
  const first = await sight(o.nodes, id);
  const since = o.clock.now();
  for (;;) {
    const verdict = idVerdict(first, first === undefined ? undefined : await sight(o.nodes, id), o.clock.now() - since);
    if (verdict.verdict === 'free') return { ...verdict, seenRevision: first?.revision };
    if (verdict.verdict !== 'watch') return verdict;
    await o.clock.sleep(verdict.inMs, o.signal);
  }
}

/** Writes the claim only if the id's record is still what was seen (none, or the stale one); false when another process wrote first. */
async function take(o: ClaimNodeIdOptions, id: string, seenRevision: number | undefined): Promise<boolean> {
  const value = o.claim(id);
  try {
    if (seenRevision === undefined) await o.nodes.create(id, value);
    else await o.nodes.update(id, value, seenRevision);
    return true;
  } catch (err) {
    // Only a lost compare-and-set means someone else has it; anything else (no answer) is the caller's error.
    if (!isWrongLastSequence(err)) throw err;
    o.log.debug({ node: id, err: (err as Error).message }, 'another process claimed this node id first');
    return false;
  }
}

/** JetStream's "wrong last sequence" (10071): the record changed since it was read. */
function isWrongLastSequence(err: unknown): boolean {
  const e = err as { api_error?: { err_code?: number }; code?: unknown; message?: string };
  return e?.api_error?.err_code === 10071 || e?.code === 10071 || /wrong last sequence/i.test(e?.message ?? '');
}
async function sight(nodes: KV, id: string): Promise<IdSighting | undefined> {
  const entry = await nodes.get(id);
  if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
  try {
    const record = decodeValue(entry.value) as NodeRecord;
    return { revision: entry.revision, record: { pid: record.pid, heartbeatMs: record.heartbeatMs } };
  } catch {
    return undefined;
  }
}
