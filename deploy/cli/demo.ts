import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { ExitCodes } from './exit-codes.ts';
import { integerOption } from './option-parsers.ts';
import { catchStopSignals } from './stop-signals.ts';
import { addDataDirOption, dataDirOf } from './data-dir-option.ts';
import type { DataDirFlags } from './data-dir-option.ts';

interface DemoFlags extends DataDirFlags {
  readonly messages?: number;
  readonly duration?: number;
  readonly natsServer?: string;
}

const INTERVAL_MS = 100;

export function registerDemo(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  addDataDirOption(
    program
      .command('demo')
      .description("a cloud and two edges on this machine: readings flow, edge1's link is cut and restored, and nothing is lost or duplicated"),
    'keep configs, stores and logs here (default: a temp dir, removed at the end)',
    '--dir',
  )
    .option('--messages <n>', `readings each edge sends (one every ${INTERVAL_MS} ms; default: 200, about 20 s)`, integerOption('--messages', 30, 200))
    .option('--duration <seconds>', 'how long the sensors run instead of --messages', integerOption('--duration', 3, 20))
    .option('--nats-server <path>', 'the nats-server binary (default: $NATS_SERVER, PATH, /usr/sbin, /usr/local/sbin, /usr/local/bin)')
    .action(async (flags: DemoFlags) => {
      setExitCode(await demo(flags, io));
    });
}

async function demo(flags: DemoFlags, io: CliIo): Promise<number> {
  const signals = catchStopSignals(io);
  const abort = new AbortController();
  void signals.next().then((signal) => {
    signals.stopping();
    io.err(`received ${signal}: stopping the demo`);
    abort.abort();
  });
  try {
    const dataDir = dataDirOf(flags, io);
    const durationMs = flags.duration !== undefined ? flags.duration * 1000 : (flags.messages ?? 200) * INTERVAL_MS;
    const { runDemo } = await import('../site/index.ts');
    const result = await runDemo({
      out: io.out,
      durationMs,
      intervalMs: INTERVAL_MS,
      signal: abort.signal,
      ...(dataDir === undefined ? {} : { dir: dataDir }),
      ...(flags.natsServer === undefined ? {} : { natsServer: flags.natsServer }),
    });
    return result.ok ? ExitCodes.ok : ExitCodes.error;
  } finally {
    signals.dispose();
  }
}
