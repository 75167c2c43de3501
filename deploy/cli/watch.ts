import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { integerOption } from './option-parsers.ts';
import { catchStopSignals } from './stop-signals.ts';

/** `-w, --watch [ms]`: print again every `ms` (true: the default interval) until Ctrl-C. */
export interface WatchFlags {
  readonly watch?: number | true;
}

export const DEFAULT_WATCH_MS = 2_000;

export function addWatchOption(cmd: Command): Command {
  return cmd.option('-w, --watch [ms]', `print it again every <ms> milliseconds (default ${DEFAULT_WATCH_MS}) until Ctrl-C`, integerOption('--watch', 100, DEFAULT_WATCH_MS));
}

/**
 * Runs `render` once, or with --watch every interval until SIGINT/SIGTERM (exit 0), each time
 * after a line saying when (in the human-readable form; with -o each render is one document).
 */
export async function renderWatching(flags: WatchFlags, io: CliIo, render: () => Promise<void>, opts: { readonly data: boolean }): Promise<void> {
  if (flags.watch === undefined) return render();
  const everyMs = flags.watch === true ? DEFAULT_WATCH_MS : flags.watch;
  const signals = catchStopSignals(io);
  const stopped = signals.next().then(() => true);
  try {
    for (;;) {
      if (!opts.data) io.out(`every ${everyMs} ms, at ${new Date().toISOString()} (Ctrl-C stops):`);
      await render();
      let timer: NodeJS.Timeout | undefined;
      const due = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), everyMs)));
      const stop = await Promise.race([stopped, due]);
      clearTimeout(timer);
      if (stop) return;
      if (!opts.data) io.out('');
    }
  } finally {
    signals.dispose();
  }
}
