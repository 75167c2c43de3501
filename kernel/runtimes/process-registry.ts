import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { CairnError, KernelCodes } from '../../protocols/index.ts';
import { isAlive, readProcStat } from './process-usage.ts';

/** Where process launchers record their children unless told otherwise. */
export const DEFAULT_REGISTRY_DIR = join(os.tmpdir(), 'cairn-guests');

/** One guest process a node started, as written to its registry file. */
export interface GuestProcessRecord {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: with the pid, it names this process and no later one. */
  readonly startTime: string;
  readonly site: string;
  readonly node: string;
  readonly actor: string;
  readonly command: string;
}

interface RegistryFile {
  readonly v: 1;
  readonly guests: readonly GuestProcessRecord[];
}

/** `<dir>/<site>-<node>.json`: site and node are names ([A-Za-z0-9_-]), so the path is safe. */
export function registryFile(dir: string, site: string, node: string): string {
  return join(dir, `${site}-${node}.json`);
}

/**
 * The guest processes one node has running, kept in a small JSON file so that the next run of
 * the node can kill those a crash left behind (see cleanupOrphans). Writes are serialised and
 * atomic (write then rename), so the file is always a complete snapshot.
 */
export class ProcessRegistry {
  private readonly guests = new Map<number, GuestProcessRecord>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly site: string,
    readonly node: string,
  ) {}

  get file(): string {
    return registryFile(this.dir, this.site, this.node);
  }

  /** Records a child; resolves once the file says so. */
  async add(pid: number, info: { actor: string; command: string }): Promise<void> {
    // The start time is what tells this process from a later one that reuses its pid.
    const stat = await readProcStat(pid);
    if (!stat) return; // already gone: nothing to clean up later
    this.guests.set(pid, { pid, startTime: stat.startTime, site: this.site, node: this.node, actor: info.actor, command: info.command });
    await this.write();
  }

  async remove(pid: number): Promise<void> {
    if (!this.guests.delete(pid)) return;
    await this.write();
  }

  private write(): Promise<void> {
    const snapshot: RegistryFile = { v: 1, guests: [...this.guests.values()] };
    const run = this.chain.then(async () => {
      await mkdir(this.dir, { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(snapshot, null, 2));
      await rename(tmp, this.file);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** Reads a node's registry file; an absent file is an empty registry. */
export async function readRegistry(registryDir: string, site: string, node: string): Promise<GuestProcessRecord[]> {
  const file = registryFile(registryDir, site, node);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<RegistryFile>;
    return Array.isArray(parsed.guests) ? parsed.guests.filter((g) => Number.isInteger(g?.pid) && typeof g.startTime === 'string') : [];
  } catch (cause) {
    throw new CairnError(KernelCodes.INVALID_OPTION, `guest registry ${file} is not valid JSON; delete it (its processes, if any, must then be found by hand with \`ps\`)`, { cause });
  }
}

export interface OrphanCleanup {
  /** Recorded guests that were still running and were killed. */
  readonly killed: readonly GuestProcessRecord[];
  /** Recorded guests already gone, or whose pid now belongs to another process (left alone). */
  readonly gone: readonly GuestProcessRecord[];
}

const KILL_WAIT_MS = 5_000;

/**
 * Kills the guest processes a previous run of this node left behind (it crashed, or was killed,
 * before it could stop them), then clears the node's registry file. A pid is killed only if it
 * still exists with the recorded start time: a pid recycled by an unrelated process is left alone.
 * Call it when a node starts, before it launches guests.
 */
export async function cleanupOrphans(registryDir: string, site: string, node: string): Promise<OrphanCleanup> {
  const killed: GuestProcessRecord[] = [];
  const gone: GuestProcessRecord[] = [];
  for (const guest of await readRegistry(registryDir, site, node)) {
    if (!(await isAlive(guest.pid, guest.startTime))) {
      gone.push(guest);
      continue;
    }
    try {
      process.kill(guest.pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      gone.push(guest);
      continue;
    }
    await waitGone(guest);
    killed.push(guest);
  }
  await rm(registryFile(registryDir, site, node), { force: true });
  return { killed, gone };
}

/**
 * Waits for a killed process that is not our child to disappear. Nothing signals the death of a
 * non-child on Linux short of pidfd (not in Node), so /proc is polled, briefly and boundedly.
 */
async function waitGone(guest: GuestProcessRecord): Promise<void> {
  const deadline = Date.now() + KILL_WAIT_MS;
  for (let delay = 5; await isAlive(guest.pid, guest.startTime); delay = Math.min(delay * 2, 100)) {
    if (Date.now() > deadline) {
      throw new CairnError(KernelCodes.GUEST_EXITED, `orphan guest pid ${guest.pid} (actor ${guest.actor}, ${guest.command}) did not die within ${KILL_WAIT_MS} ms of SIGKILL; check it with \`ps -p ${guest.pid}\``);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
