import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { KernelCodes } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import { ExitCodes } from './exit-codes.ts';
import type { StopSignals } from './stop-signals.ts';

/** A running site as the long-running commands see it. */
export interface StoppableSite {
  readonly system: ActorSystem;
  stop(): Promise<{ readonly drained: boolean }>;
}

/**
 * The life of a long-running command (`cairn up`, `cairn site up`) once its site is up: wait for
 * SIGINT/SIGTERM, a reported failure, or the root supervisor giving up; then drain and stop,
 * saying what happens. Resolves with the exit code.
 */
export async function runUntilStopped(site: StoppableSite, signals: StopSignals, failure: Promise<string>, fail: (why: string) => void, io: CliIo, stopping: string): Promise<number> {
  void site.system.done.then((reason) => {
    if (reason.type === 'error' && reason.code === KernelCodes.LEASE_LOST) fail(`this node lost the site lease and stopped its actors: ${reason.error}`);
    else if (reason.type !== 'shutdown') fail(`the root supervisor gave up (${JSON.stringify(reason)})`);
  });
  const outcome = await Promise.race([
    signals.next().then((signal) => ({ code: ExitCodes.ok, line: `received ${signal}` })),
    failure.then((why) => ({ code: ExitCodes.error, line: `error: ${why}` })),
  ]);
  signals.stopping();
  (outcome.code === ExitCodes.ok ? io.out : io.err)(`${outcome.line}: ${stopping}`);
  const { drained } = await site.stop();
  if (!drained) io.err('warning: the node did not finish draining in time; unacknowledged messages will be redelivered on the next start');
  io.out('stopped');
  return outcome.code;
}
