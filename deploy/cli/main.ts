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
  const code = await runCli(process.argv.slice(2));
  // Exit explicitly: a command is done once it has answered, whatever timers a library left.
  process.exit(code);
}
