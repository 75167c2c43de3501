import { describe, expect, it } from 'vitest';
import { formatNodes } from '../../../deploy/cli/format-nodes.ts';
import type { NodeRecord } from '../../../protocols/index.ts';

const node = (id: string, role: NodeRecord['role'], lastSeen: number): NodeRecord => ({
  v: 1,
  id,
  site: 'cloud',
  labels: { site: 'cloud', gpu: 'true' },
  pid: 42,
  startedAt: 0,
  lastSeen,
  heartbeatMs: 1_000,
  ...(role ? { role } : {}),
  resources: { cpus: 2, memoryMb: 4096 },
});

describe('formatNodes', () => {
  it('formatNodes - shows each node role, and a node silent past the timeout as dead', () => {
    const lines = formatNodes([node('a', 'leader', 60_000), node('b', 'standby', 60_000), node('c', undefined, 1_000)], 61_000);
    expect(lines[0]).toMatch(/^NODE\s+SITE\s+STATUS\s+ROLE\s+LAST SEEN/);
    expect(lines[1]).toMatch(/^a\s+cloud\s+up\s+leader\s/);
    expect(lines[2]).toMatch(/^b\s+cloud\s+up\s+standby\s/);
    // A record from an older node has no role: the column stays empty.
    expect(lines[3]).toMatch(/^c\s+cloud\s+dead\s+\d/);
  });
});
