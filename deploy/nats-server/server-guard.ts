import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

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

/**
 * Stops the nats-server an earlier run left on this store, found through its pid file: SIGTERM,
 * then SIGKILL after `timeoutMs`. Resolves with its pid when there was one, undefined otherwise (no
 * pid file, or its process is gone or is something else now).
 */
export async function stopEarlierServer(pidFile: string, configPath: string, timeoutMs: number, sleep: (ms: number) => Promise<void>): Promise<number | undefined> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || !(await isServerOn(pid, configPath))) {
    await rm(pidFile, { force: true });
    return undefined;
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
