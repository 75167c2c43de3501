import type { CliIo } from './cli-io.ts';

/** SIGINT/SIGTERM for a long-running command: the first one asks it to stop, a second one while stopping exits at once. */
export interface StopSignals {
  /** Resolves with the first signal. */
  next(): Promise<NodeJS.Signals>;
  /** From now on a signal exits at once (nats-servers are killed by deploy/nats-server's exit hook). */
  stopping(): void;
  dispose(): void;
}

export function catchStopSignals(io: CliIo): StopSignals {
  let first!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((r) => (first = r));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stopping) return first(signal);
    io.err(`second ${signal}: stopping without draining`);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    next: () => received,
    stopping: () => void (stopping = true),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
