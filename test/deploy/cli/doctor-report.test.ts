import { describe, expect, it } from 'vitest';
import { clockSkews, doctorExitCode, formatChecks, siteClockSkews } from '../../../deploy/cli/doctor-report.ts';
import type { CheckResult } from '../../../deploy/cli/doctor-report.ts';

const results: CheckResult[] = [
  { name: 'nats-server', status: 'ok', detail: 'v2.15.2 (/usr/bin/nats-server)' },
  { name: 'site', status: 'fail', detail: 'nats://127.0.0.1:1 does not answer', fix: 'start one' },
  { name: 'jetstream', status: 'skip', detail: 'needs the site' },
  { name: 'docker', status: 'warn', detail: 'no engine answers', fix: 'start dockerd' },
];

describe('cairn doctor report', () => {
  it('formatChecks - one aligned line per check, a fix under each warning and failure, and a count', () => {
    expect(formatChecks(results)).toEqual([
      'ok    nats-server  v2.15.2 (/usr/bin/nats-server)',
      'fail  site         nats://127.0.0.1:1 does not answer',
      '                   fix: start one',
      'skip  jetstream    needs the site',
      'warn  docker       no engine answers',
      '                   fix: start dockerd',
      '',
      '1 ok, 1 warning(s), 1 failed, 1 skipped',
    ]);
  });

  it('doctorExitCode - 1 when a check failed; warnings and skips alone exit 0', () => {
    expect(doctorExitCode(results)).toBe(1);
    expect(doctorExitCode(results.filter((r) => r.status !== 'fail'))).toBe(0);
  });

  it('clockSkews - nodes whose clock is off their server by more than the tolerance, worst first, signed', () => {
    const nodes = [
      { id: 'a', site: 's', lastSeen: 10_000, storedAt: 10_050 },
      { id: 'b', site: 's', lastSeen: 20_000, storedAt: 17_000 },
      { id: 'c', site: 's', lastSeen: 30_000, storedAt: 35_500 },
    ];
    expect(clockSkews(nodes, 2_000)).toEqual([
      { id: 'c', site: 's', skewMs: -5_500 },
      { id: 'b', site: 's', skewMs: 3_000 },
    ]);
  });

  it('siteClockSkews - a site whose newest heartbeat comes from the future is ahead, one older than its interval behind; within the tolerance, or a site\'s older records, say nothing', () => {
    const now = 1_000_000;
    const records = [
      { site: 'edge1', lastSeen: now - 500, heartbeatMs: 1_000 }, // written half an interval ago: in step
      { site: 'edge2', lastSeen: now + 7_000, heartbeatMs: 1_000 }, // 7 s in the future: ahead
      { site: 'edge3', lastSeen: now - 4_500, heartbeatMs: 1_000 }, // 4.5 s old with a 1 s interval: 3.5 s behind
      { site: 'edge3', lastSeen: now - 60_000, heartbeatMs: 1_000 }, // an older record of edge3: not its newest
      { site: 'edge4', lastSeen: now - 2_900, heartbeatMs: 1_000 }, // 1.9 s beyond its interval: within 2 s
    ];
    expect(siteClockSkews(records, now, 2_000)).toEqual([
      { site: 'edge2', skewMs: 7_000 },
      { site: 'edge3', skewMs: -3_500 },
    ]);
    expect(siteClockSkews([], now, 2_000)).toEqual([]);
  });
});
