import { CommanderError } from 'commander';
import { isCairnError } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';
import { processIo } from './cli-io.ts';
import { ExitCodes, USAGE_ERROR_CODES } from './exit-codes.ts';
import { buildProgram } from './program.ts';

/** Runs one cairn command line (without "node cairn") and returns its exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let code: number = ExitCodes.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its message already.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? ExitCodes.ok : ExitCodes.usage;
    }
    if (isCairnError(err)) {
      io.err(`error [${err.code}]: ${err.message}`);
      return USAGE_ERROR_CODES.has(err.code) ? ExitCodes.usage : ExitCodes.error;
    }
    io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    return ExitCodes.error;
  }
}

/** Entry point of bin/cairn.mjs. */
export async function main(): Promise<void> {
  // A reader that goes away (`cairn dlq ls | head`) is not an error of the command's.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  const code = await runCli(process.argv.slice(2));
  // Exit explicitly: a command is done once it has answered, whatever timers a library left. But
  // only once its output is out: into a pipe, writes are asynchronous and exit would cut them off.
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

/** Resolves once what was written to `stream` so far has been handed to the OS, or the reader went away. */
export function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    if ((stream as { destroyed?: boolean }).destroyed) return resolve();
    stream.once('error', () => resolve());
    stream.write('', () => resolve());
  });
}
