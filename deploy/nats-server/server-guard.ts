import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CairnError, DeployCodes } from '../../protocols/index.ts';

/*
 * A nats-server started by Cairn belongs to the process that started it: it must not outlive it
 * (a `kill -9` of `cairn up` left its server running under pid 1), and two servers must never run
 * on one store (the next `cairn up` started a second beside the orphan).
 */

/** util-linux's setpriv, which can give a child a parent-death signal; undefined where there is none (not Linux). */
export function findSetpriv(path = process.env.PATH ?? ''): string | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const dir of ['/usr/bin', '/bin', ...path.split(delimiter)]) {
    const candidate = join(dir, 'setpriv');
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The command that runs `binary args` so that it gets SIGTERM when this process dies, however it
 * dies: `setpriv --pdeathsig TERM -- binary args` (setpriv execs the binary: same pid); the plain
 * command where setpriv is missing.
 */
export function guardedCommand(binary: string, args: readonly string[], setpriv: string | undefined): { readonly command: string; readonly args: readonly string[] } {
  if (setpriv === undefined) return { command: binary, args };
  return { command: setpriv, args: ['--pdeathsig', 'TERM', '--', binary, ...args] };
}

/** Whether process `pid` is alive and is a nats-server running on `configPath` (read from /proc). */
export async function isServerOn(pid: number, configPath: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (cmdline === undefined) return false;
  const args = cmdline.split('\0');
  const c = args.indexOf('-c');
  return c >= 0 && args[c + 1] === configPath && args.some((a) => a.endsWith('nats-server') || a.includes('/nats-server'));
}

/** The parent of process `pid` (read from /proc), undefined when it is gone. */
export async function parentOf(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // "<pid> (<comm>) <state> <ppid> ...": comm may hold spaces and parentheses; the last ')' ends it.
  const ppid = stat === undefined ? NaN : Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return Number.isSafeInteger(ppid) ? ppid : undefined;
}

/** Whether process `pid` runs Node (a Cairn process; an orphan's new parent is init or a subreaper). */
async function isNodeProcess(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const program = cmdline.split('\0')[0] ?? '';
  return /(^|\/)node(\d+)?$/.test(program) || cmdline.includes('cairn');
}

/**
 * Stops the nats-server an earlier run left on this store, found through its pid file: SIGTERM,
 * then SIGKILL after `timeoutMs`. Resolves with its pid when there was one, undefined otherwise (no
 * pid file, or its process is gone or is something else now). A server whose starting process
 * still runs (and is not this one) is not an earlier run's: it belongs to a live site, and the
 * start is refused with CAIRN_NATS_SERVER_STORE_IN_USE instead.
 */
export async function stopEarlierServer(pidFile: string, configPath: string, timeoutMs: number, sleep: (ms: number) => Promise<void>): Promise<number | undefined> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || !(await isServerOn(pid, configPath))) {
    await rm(pidFile, { force: true });
    return undefined;
  }
  const owner = await parentOf(pid);
  if (owner !== undefined && owner !== process.pid && (await isNodeProcess(owner))) {
    throw new CairnError(
      DeployCodes.NATS_SERVER_STORE_IN_USE,
      `nats-server pid ${pid}, started by the running process ${owner}, already runs on ${configPath} and its JetStream store; stop that process first (kill -INT ${owner}), or join its site with \`cairn site join\``,
      { details: { pid, owner, configPath } },
    );
  }
  signal(pid, 'SIGTERM');
  for (let waited = 0; waited < timeoutMs && (await isServerOn(pid, configPath)); waited += 50) await sleep(50);
  if (await isServerOn(pid, configPath)) signal(pid, 'SIGKILL');
  for (let waited = 0; waited < timeoutMs && (await isServerOn(pid, configPath)); waited += 50) await sleep(50);
  await rm(pidFile, { force: true });
  return pid;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone meanwhile
  }
}
