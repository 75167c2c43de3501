import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { findNatsServer, freePort, renderNatsServerConfig, startNatsServer } from '../../../deploy/nats-server/index.ts';
import { guardedCommand } from '../../../deploy/nats-server/index.ts';
import { writeFile } from 'node:fs/promises';

const STARTER = fileURLToPath(new URL('./fixtures/start-server.ts', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Alive and not a zombie (a killed child not yet reaped still answers kill 0). */
const running = async (pid: number): Promise<boolean> => alive(pid) && !/\nState:\s+Z/.test(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '\nState: Z'));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-guard-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A separate process that starts a nats-server on `dir` and `port` and stays alive: the server's pid, and the process. */
async function startedElsewhere(dir: string, port: number): Promise<{ readonly starter: ReturnType<typeof spawn>; readonly pid: number }> {
  const starter = spawn(process.execPath, ['--import', 'tsx', STARTER, dir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(async () => void starter.kill('SIGKILL'));
  const pid = Number(await new Promise<string>((resolve) => createInterface({ input: starter.stdout! }).once('line', resolve)));
  return { starter, pid };
}

describe('nats-server guard', () => {
  it('guardedCommand - runs the server under setpriv with a parent-death SIGTERM, or as is without setpriv', () => {
    expect(guardedCommand('/bin/nats-server', ['-c', 'x.conf'], '/usr/bin/setpriv')).toEqual({ command: '/usr/bin/setpriv', args: ['--pdeathsig', 'TERM', '--', '/bin/nats-server', '-c', 'x.conf'] });
    expect(guardedCommand('/bin/nats-server', ['-c', 'x.conf'], undefined)).toEqual({ command: '/bin/nats-server', args: ['-c', 'x.conf'] });
  });

  it('nats-server guard - a server whose starting process is killed with SIGKILL exits too', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const { starter, pid } = await startedElsewhere(dir, port);
    expect(await running(pid)).toBe(true);
    starter.kill('SIGKILL');
    await expect.poll(() => running(pid), { timeout: 10_000, interval: 50 }).toBe(false);
  });

  it('nats-server guard - a start on a store where an earlier run left a server running stops that one first', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const config = { host: '127.0.0.1', port, jetstream: { store_dir: join(dir, 'js') } };
    // An orphan as an older Cairn left it: started on the same config file, not guarded, its pid in the pid file.
    const configPath = join(dir, 'nats-server.conf');
    await writeFile(configPath, renderNatsServerConfig(config));
    const orphan = spawn(await findNatsServer(), ['-c', configPath, '-P', `${configPath}.pid`], { stdio: 'ignore', detached: true });
    cleanups.push(async () => void orphan.kill('SIGKILL'));
    await expect.poll(() => readFile(`${configPath}.pid`, 'utf8').catch(() => ''), { timeout: 10_000, interval: 50 }).toBe(String(orphan.pid));
    const lines: string[] = [];
    const server = await startNatsServer({ config, dir, onLog: (l) => lines.push(l) });
    cleanups.push(() => server.stop());
    expect(server.stoppedEarlier).toBe(orphan.pid);
    expect(await running(orphan.pid!)).toBe(false);
    expect(lines[0]).toContain(`stopped nats-server pid ${orphan.pid}`);
    expect(await readFile(`${configPath}.pid`, 'utf8')).toBe(String(server.pid));
  });

  it('nats-server guard - a start on a store whose server a running process started is refused with CAIRN_NATS_SERVER_STORE_IN_USE, and that server keeps running', async () => {
    const dir = await tempDir();
    const port = await freePort();
    // A live site: another process started the server on this directory and still runs.
    const { starter, pid } = await startedElsewhere(dir, port);
    await expect(startNatsServer({ config: { host: '127.0.0.1', port }, dir })).rejects.toMatchObject({ code: 'CAIRN_NATS_SERVER_STORE_IN_USE', message: expect.stringContaining(`started by the running process ${starter.pid}`) });
    expect(await running(pid)).toBe(true);
    expect(await readFile(join(dir, 'nats-server.conf.pid'), 'utf8')).toBe(String(pid));
  });
});
