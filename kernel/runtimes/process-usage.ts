import { readFile } from 'node:fs/promises';
import type { GuestUsage } from '../guest-channel.ts';

/** The fields of /proc/<pid>/stat that Cairn uses. Times are in clock ticks. */
export interface ProcStat {
  readonly pid: number;
  /** One letter: R running, S sleeping, Z zombie (exited, not reaped)... */
  readonly state: string;
  /** User-mode CPU time (field 14). */
  readonly utime: number;
  /** Kernel-mode CPU time (field 15). */
  readonly stime: number;
  /** Start time after boot (field 22), kept as a string: it identifies an incarnation of a pid. */
  readonly startTime: string;
}

/**
 * Clock ticks per second of /proc times (`getconf CLK_TCK`). 100 on every Linux architecture
 * Node runs on; the kernel exports times in USER_HZ whatever its internal HZ.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself hold spaces
 * and parentheses, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // rest[0] is field 3 (state), so field k is rest[k - 3].
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const [state, utime, stime, startTime] = [rest[0], rest[11], rest[12], rest[19]];
  if (!Number.isInteger(pid) || !state || utime === undefined || stime === undefined || startTime === undefined) return undefined;
  return { pid, state, utime: Number(utime), stime: Number(stime), startTime };
}

/** Resident set size in bytes from /proc/<pid>/status (`VmRSS:  1234 kB`); undefined for zombies and kernel threads. */
export function parseVmRss(statusText: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Reads and parses /proc/<pid>/stat; undefined when the process does not exist. */
export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when `pid` exists and is not a zombie (a zombie has exited; only its parent's reap is missing). */
export async function isAlive(pid: number, startTime?: string): Promise<boolean> {
  const stat = await readProcStat(pid);
  if (!stat || stat.state === 'Z') return false;
  return startTime === undefined || stat.startTime === startTime;
}

interface Sample {
  readonly ticks: number;
  readonly at: number;
}

/**
 * Samples a process's CPU and memory. CPU is the share of one core used since the previous
 * sample (the first sample measures from `startedAt`, the time the process was spawned).
 */
export class ProcessUsage {
  private last: Sample;

  constructor(
    private readonly pid: number,
    startedAt: number,
    private readonly now: () => number = Date.now,
  ) {
    this.last = { ticks: 0, at: startedAt };
  }

  async sample(): Promise<GuestUsage | undefined> {
    const [stat, status] = await Promise.all([readProcStat(this.pid), readFile(`/proc/${this.pid}/status`, 'utf8').catch(() => undefined)]);
    if (!stat || status === undefined) return undefined;
    const next: Sample = { ticks: stat.utime + stat.stime, at: this.now() };
    const usage = { cpuPercent: cpuPercent(this.last, next), memoryBytes: parseVmRss(status) ?? 0 };
    this.last = next;
    return usage;
  }
}

/** CPU use between two samples, in percent of one core (may exceed 100 for a multi-threaded process). */
export function cpuPercent(prev: Sample, next: Sample): number {
  const wallMs = next.at - prev.at;
  if (wallMs <= 0) return 0;
  const cpuMs = ((next.ticks - prev.ticks) * 1000) / CLOCK_TICKS_PER_SECOND;
  return Math.max(0, Math.round((cpuMs / wallMs) * 1000) / 10);
}
