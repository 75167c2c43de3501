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

/** How a command whose node lost the site lease goes on: a new node of the site that waits as a standby (see RunningSite.rejoin). */
export type Rejoin<S extends StoppableSite> = (lost: S, signal: AbortSignal) => Promise<S>;

/**
 * The life of a long-running command (`cairn up`, `cairn site up`) once its site is up: wait for
 * SIGINT/SIGTERM, a reported failure, or the root supervisor giving up; then drain and stop,
 * saying what happens. Resolves with the exit code.
 */
export async function runUntilStopped<S extends StoppableSite>(first: S, signals: StopSignals, failure: Promise<string>, fail: (why: string) => void, io: CliIo, stopping: string, rejoin?: Rejoin<S>): Promise<number> {
  let site = first;
  const giveUp = new AbortController();
  const watch = (s: S): void =>
    void s.system.done.then(async (reason) => {
      if (site !== s || giveUp.signal.aborted) return;
      if (reason.type === 'error' && reason.code === KernelCodes.LEASE_LOST) {
        if (!rejoin) return fail(`this node lost the site lease and stopped its actors: ${reason.error}`);
        io.err(`warning: this node lost the site lease and stopped its actors (${reason.error}); nats-server keeps running for the site's other nodes, and a new node of this process waits as a standby`);
        try {
          site = await rejoin(s, giveUp.signal);
          io.out(`ready: node ${site.system.node.id} leads the site again`);
          watch(site);
        } catch (err) {
          if (!giveUp.signal.aborted) fail(`this node lost the site lease and could not rejoin as a standby: ${(err as Error).message}`);
        }
      } else if (reason.type !== 'shutdown') fail(`the root supervisor gave up (${JSON.stringify(reason)})`);
    });
  watch(site);
  const outcome = await Promise.race([
    signals.next().then((signal) => ({ code: ExitCodes.ok, line: `received ${signal}` })),
    failure.then((why) => ({ code: ExitCodes.error, line: `error: ${why}` })),
  ]);
  signals.stopping();
  giveUp.abort();
  (outcome.code === ExitCodes.ok ? io.out : io.err)(`${outcome.line}: ${stopping}`);
  const { drained } = await site.stop();
  if (!drained) io.err('warning: the node did not finish draining in time; unacknowledged messages will be redelivered on the next start');
  io.out('stopped');
  return outcome.code;
}
