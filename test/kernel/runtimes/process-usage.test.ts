import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ProcessUsage, cpuPercent, parseProcStat, parseVmRss } from '../../../kernel/runtimes/index.ts';

// Real lines from Linux 6.x, one with a command name that holds spaces and parentheses.
const STAT = '4242 (python3) S 4200 4242 4200 0 -1 4194560 1529 0 0 0 37 12 0 0 20 0 1 0 98765432 21426176 2436 18446744073709551615 4194304 4196756 0 0 0 0 0 16781312 2 0 0 0 17 1 0 0 0 0 0';
const WEIRD = '17 (my (odd) name) R 1 17 17 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 4 0 555 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0';
const STATUS = 'Name:\tpython3\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t   20924 kB\nVmSize:\t   20924 kB\nVmRSS:\t    9744 kB\nRssAnon:\t    2680 kB\nThreads:\t1\n';

describe('process usage', () => {
  it('process usage - parses utime, stime, state and start time from /proc/<pid>/stat', () => {
    expect(parseProcStat(STAT)).toEqual({ pid: 4242, state: 'S', utime: 37, stime: 12, startTime: '98765432' });
  });

  it('process usage - counts fields from the last parenthesis, whatever the command name holds', () => {
    expect(parseProcStat(WEIRD)).toEqual({ pid: 17, state: 'R', utime: 250, stime: 50, startTime: '555' });
  });

  it('process usage - rejects text that is not a stat line', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('12 (x) S 1 2')).toBeUndefined();
  });

  it('process usage - reads VmRSS in bytes, and nothing for a zombie', () => {
    expect(parseVmRss(STATUS)).toBe(9744 * 1024);
    expect(parseVmRss('Name:\tdefunct\nState:\tZ (zombie)\n')).toBeUndefined();
  });

  it('process usage - CPU percent is CPU time over wall time between samples (100 ticks a second)', () => {
    expect(cpuPercent({ ticks: 100, at: 0 }, { ticks: 150, at: 1_000 })).toBe(50);
    expect(cpuPercent({ ticks: 0, at: 0 }, { ticks: 400, at: 2_000 })).toBe(200);
    expect(cpuPercent({ ticks: 5, at: 1_000 }, { ticks: 5, at: 1_000 })).toBe(0);
  });

  it('process usage - samples a live process and nothing once it is gone', async () => {
    const child = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      const usage = await new ProcessUsage(child.pid!, Date.now()).sample();
      expect(usage?.memoryBytes).toBeGreaterThan(0);
      expect(usage?.cpuPercent).toBeGreaterThanOrEqual(0);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(await new ProcessUsage(child.pid!, Date.now()).sample()).toBeUndefined();
  });
});
