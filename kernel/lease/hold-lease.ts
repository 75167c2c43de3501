import type { Logger } from 'pino';
import type { LeaseLoss, SiteLease } from './site-lease.ts';

export interface HoldLeaseOptions {
  /** Whether the node runs as leader yet (its setup is done). */
  isRunning(): boolean;
  readonly log: Logger;
  /** Told when a running leader loses the lease: it must stop its actors, a standby may run them. */
  readonly onLost?: ((loss: LeaseLoss) => void) | undefined;
}

/**
 * Renews `lease` from now until `signal` aborts, through the leader's setup too: a setup slower
 * than the ttl must not let a standby take the lease meanwhile. A loss while running goes to
 * `onLost`; a loss before is kept, so that the start fails instead (`lostBeforeRunning`).
 */
export function holdLease(lease: SiteLease, signal: AbortSignal, o: HoldLeaseOptions): { lostBeforeRunning(): LeaseLoss | undefined } {
  let early: LeaseLoss | undefined;
  void lease.hold(signal).then((loss) => {
    if (!loss || signal.aborted) return;
    if (!o.isRunning()) {
      early = loss;
      return;
    }
    o.log.error({ why: loss.why }, 'lost the site lease; this node stops its actors');
    o.onLost?.(loss);
  });
  return { lostBeforeRunning: () => early };
}
