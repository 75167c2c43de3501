import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../deploy/nats-server/index.ts';

/**
 * A nats-server older than Cairn's minimum: Debian bookworm's package (2.9.10), which .ci/run
 * installs so that the refusal of old servers is tested against a real one.
 */
export const OLD_NATS_SERVER = '/usr/sbin/nats-server';

/**
 * Runs the old server with JetStream on a free loopback port, directly (Cairn's own launcher
 * refuses it). Resolves once it accepts connections.
 */
export async function startOldNatsServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-old-nats-'));
  const port = await freePort();
  const child = spawn(OLD_NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${OLD_NATS_SERVER} exited with ${String(code)} before it was ready: ${log}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
