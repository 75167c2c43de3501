import { describe, expect, it } from 'vitest';
import { collectReplies, summarizeSites } from '../../client/index.ts';
import { DEFAULT_NODE_TIMEOUT_MS } from '../../protocols/index.ts';
import type { NodeRecord } from '../../protocols/index.ts';

const NOW = 1_000_000;
function node(site: string, id: string, agoMs: number): NodeRecord {
  return { id, site, lastSeen: NOW - agoMs, startedAt: 0, pid: 1, labels: {} } as unknown as NodeRecord;
}

describe('summarizeSites', () => {
  it('sites - groups nodes by site, sorted, counting the live ones', () => {
    const sites = summarizeSites([node('edge2', 'a', 0), node('cloud', 'c1', 10), node('cloud', 'c2', DEFAULT_NODE_TIMEOUT_MS + 1)], NOW);
    expect(sites).toEqual([
      { site: 'cloud', nodes: 2, live: 1, online: true, lastSeen: NOW - 10 },
      { site: 'edge2', nodes: 1, live: 1, online: true, lastSeen: NOW },
    ]);
  });

  it('sites - a site none of whose nodes is alive is offline, with the last heartbeat of any of them', () => {
    const [edge] = summarizeSites([node('edge1', 'a', 60_000), node('edge1', 'b', 30_000)], NOW);
    expect(edge).toEqual({ site: 'edge1', nodes: 2, live: 0, online: false, lastSeen: NOW - 30_000 });
  });

  it('sites - no nodes, no sites', () => {
    expect(summarizeSites([], NOW)).toEqual([]);
  });
});

describe('collectReplies', () => {
  it('node query - keeps answers and failures apart, in order, and turns a non-Error rejection into an Error', () => {
    const settled: PromiseSettledResult<number>[] = [
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('n2 silent') },
      { status: 'fulfilled', value: 3 },
      { status: 'rejected', reason: 'odd' },
    ];
    const { results, failures } = collectReplies(settled);
    expect(results).toEqual([1, 3]);
    expect(failures.map((f) => f.message)).toEqual(['n2 silent', 'odd']);
  });
});
