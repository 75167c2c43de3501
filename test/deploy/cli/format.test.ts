import { describe, expect, it } from 'vitest';
import { formatDuration, formatEvent, formatPs, formatTable, formatTree } from '../../../deploy/cli/index.ts';
import type { ActorInfo, TreeNode } from '../../../protocols/index.ts';

describe('formatDuration', () => {
  it('formatDuration - picks the two largest units', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(12_400)).toBe('12s');
    expect(formatDuration(184_000)).toBe('3m04s');
    expect(formatDuration((2 * 60 + 5) * 60_000)).toBe('2h05m');
    expect(formatDuration((3 * 24 + 4) * 3_600_000)).toBe('3d04h');
  });

  it('formatDuration - prints a dash for negative or unknown durations', () => {
    expect(formatDuration(-5)).toBe('-');
    expect(formatDuration(Number.NaN)).toBe('-');
  });
});

describe('formatTable', () => {
  it('formatTable - pads columns to the widest cell and right-aligns numbers', () => {
    const lines = formatTable(
      [
        { header: 'ID', value: (r: { id: string; n: number }) => r.id },
        { header: 'N', value: (r: { id: string; n: number }) => r.n, align: 'right' },
        { header: 'NOTE', value: () => 'x' },
      ],
      [
        { id: 'greeter', n: 3 },
        { id: 'a', n: 120 },
      ],
    );
    expect(lines).toEqual(['ID         N  NOTE', 'greeter    3  x', 'a        120  x']);
  });

  it('formatTable - leaves no trailing blanks on the last column', () => {
    const lines = formatTable([{ header: 'A', value: (r: string) => r }, { header: 'LONG', value: () => '' }], ['x']);
    for (const l of lines) expect(l).toBe(l.trimEnd());
  });
});

describe('formatTree', () => {
  const tree: TreeNode = {
    kind: 'supervisor',
    id: 'root',
    strategy: 'one_for_one',
    intensity: 10,
    periodMs: 10_000,
    status: 'running',
    children: [
      {
        kind: 'supervisor',
        id: 'hello',
        strategy: 'one_for_one',
        intensity: 10,
        periodMs: 10_000,
        status: 'running',
        children: [
          { kind: 'worker', id: 'counter', restart: 'permanent', status: 'running', restarts: 0 },
          {
            kind: 'supervisor',
            id: 'workers',
            strategy: 'rest_for_one',
            intensity: 20,
            periodMs: 5_000,
            status: 'running',
            children: [{ kind: 'worker', id: 'flaky', restart: 'transient', status: 'restarting', restarts: 2 }],
          },
          { kind: 'worker', id: 'ticker', restart: 'permanent', status: 'running', restarts: 0 },
        ],
      },
    ],
  };

  it('formatTree - draws nested supervisors with box characters', () => {
    expect(formatTree([tree], (n) => n.id)).toEqual(['root', '└─ hello', '   ├─ counter', '   ├─ workers', '   │  └─ flaky', '   └─ ticker']);
  });

  it('formatTree - labels supervisors with their strategy and workers with their restarts', () => {
    const lines = formatTree([tree]);
    expect(lines[3]).toBe('   ├─ workers  supervisor rest_for_one (intensity 20/5000ms)  running');
    expect(lines[4]).toBe('   │  └─ flaky  transient  restarting  restarts=2');
  });
});

describe('formatPs', () => {
  it('formatPs - shows one row per actor with uptime for running actors', () => {
    const base: ActorInfo = { id: 'greeter', site: 'local', node: 'n1', behaviour: 'greeter', mode: 'inline', status: 'running', restarts: 0, handled: 4, failed: 0, skipped: 0,
    expired: 0, overflowed: 0, queued: 0, startedAt: 1_000, supervisor: 'hello' };
    const lines = formatPs([base, { ...base, id: 'flaky', behaviour: 'flaky', status: 'restarting', restarts: 3, failed: 3 }], 66_000);
    expect(lines[0]).toBe('ID       BEHAVIOUR  NODE  STATUS      RESTARTS  HANDLED  FAILED  QUEUED  UPTIME');
    expect(lines[1]).toBe('greeter  greeter    n1    running            0        4       0       0   1m05s');
    expect(lines[2]).toBe('flaky    flaky      n1    restarting         3        4       3       0       -');
  });

  it('formatPs - actors whose module says something of itself (a bridge) get a FIGURES column; others leave it blank', () => {
    const base: ActorInfo = { id: 'greeter', site: 'local', node: 'n1', behaviour: 'greeter', mode: 'inline', status: 'running', restarts: 0, handled: 4, failed: 0, skipped: 0,
    expired: 0, overflowed: 0, queued: 0, startedAt: 1_000, supervisor: 'hello' };
    const lines = formatPs([{ ...base, id: 'bridge', behaviour: 'bridge', figures: { peer: 'down', buffered: 120, oldest: '42s', dropped: 0 } }, base], 66_000);
    expect(lines[0]).toMatch(/UPTIME\s+FIGURES$/);
    expect(lines[1]).toMatch(/1m05s\s+peer=down buffered=120 oldest=42s dropped=0$/);
    expect(lines[2]).toMatch(/1m05s$/);
  });

  it('formatPs - a listing that spans sites has a SITE column; one of a single site has none', () => {
    const base: ActorInfo = { id: 'greeter', site: 'cloud', node: 'c1', behaviour: 'greeter', mode: 'inline', status: 'running', restarts: 0, handled: 4, failed: 0, skipped: 0,
    expired: 0, overflowed: 0, queued: 0, startedAt: 1_000, supervisor: 'hello' };
    const lines = formatPs([base, { ...base, site: 'edge1', node: 'e1' }], 66_000);
    expect(lines[0]).toMatch(/^ID\s+SITE\s+BEHAVIOUR\s+NODE/);
    expect(lines[1]).toMatch(/^greeter\s+cloud\s+greeter\s+c1/);
    expect(lines[2]).toMatch(/^greeter\s+edge1\s+greeter\s+e1/);
    expect(formatPs([base], 66_000)[0]).not.toContain('SITE');
  });
});

describe('formatEvent', () => {
  it('formatEvent - calls a start with restarts a restart and shows crash reasons', () => {
    const ts = Date.UTC(2024, 0, 1, 12, 0, 3, 456);
    expect(formatEvent({ v: 1, type: 'started', actor: 'flaky', restarts: 2, ts })).toBe('12:00:03.456  restarted      flaky  restart #2');
    expect(formatEvent({ v: 1, type: 'started', actor: 'greeter', restarts: 0, ts })).toBe('12:00:03.456  started        greeter');
    expect(formatEvent({ v: 1, type: 'crashed', actor: 'flaky', code: 'CAIRN_HANDLER_FAILED', reason: 'Error: boom', ts })).toBe('12:00:03.456  crashed        flaky  CAIRN_HANDLER_FAILED: Error: boom');
  });
});
