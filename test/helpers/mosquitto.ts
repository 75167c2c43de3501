// A real mosquitto (Debian's, from .ci/run) on a random loopback port, for the bridge tests: stop
// and start it on the same port and persistence file, as a remote broker goes down and comes back.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../deploy/nats-server/index.ts';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Mosquitto {
  readonly port: number;
  /** The running process's pid (undefined while stopped). */
  readonly pid: number | undefined;
  readonly url: string;
  /** Stops it with SIGTERM (it saves its persistence file: sessions and queued messages survive). */
  stop(): Promise<void>;
  /** Starts it again on the same port and persistence. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  cleanup(): Promise<void>;
  /** What it logged. */
  log(): string;
}

const reachable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });

/** `extra`: more mosquitto.conf lines (a bridge `connection`, say). */
export async function startMosquitto(opts: { extra?: readonly string[] } = {}): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // Queues deep enough for the tests' 10,000 messages to a subscriber that is away. Run as root,
  // mosquitto would become user `mosquitto`, which cannot write its persistence file here.
  await writeFile(conf, [`user ${userInfo().username}`, `listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'max_queued_messages 100000', 'set_tcp_nodelay true', 'log_type error', 'log_type warning', 'log_type notice', ...(opts.extra ?? []), ''].join('\n'));
  let child: ChildProcess | undefined;
  let logged = '';
  const start = async (): Promise<void> => {
    const c = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout!.on('data', (d: Buffer) => (logged += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (logged += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await reachable(port))) {
      if (c.exitCode !== null || Date.now() > deadline) throw new Error(`mosquitto did not start on port ${port}: ${logged}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGTERM');
    await once(c, 'exit');
  };
  await start();
  return {
    port,
    get pid() {
      return child?.pid;
    },
    url: `mqtt://127.0.0.1:${port}`,
    start,
    stop,
    cleanup: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    log: () => logged,
  };
}
