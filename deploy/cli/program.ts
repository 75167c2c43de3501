import { Command } from 'commander';
import tab from '@bomb.sh/tab/commander';
import { registerApply, registerDiff } from './apply.ts';
import { registerAsk } from './ask.ts';
import type { CliIo } from './cli-io.ts';
import { registerDelete } from './delete.ts';
import { registerDoctor } from './doctor.ts';
import { registerDemo } from './demo.ts';
import { registerDlq } from './dlq.ts';
import { registerGet } from './get.ts';
import { registerHub } from './hub.ts';
import { registerArtifacts } from './artifacts.ts';
import { registerLogs } from './logs.ts';
import { registerNodes } from './nodes.ts';
import { registerPs } from './ps.ts';
import { registerRollback } from './rollback.ts';
import { registerServer } from './server.ts';
import { registerSite } from './site.ts';
import { registerTell } from './tell.ts';
import { registerTree } from './tree.ts';
import { registerUp } from './up.ts';

/**
 * The `cairn` command line. Errors are not printed here: commander's own (unknown option,
 * missing argument) throw a CommanderError and actions throw CairnErrors; runCli prints both.
 */
export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('cairn')
    .description('Cairn: an actor runtime for the edge on NATS JetStream, with OTP supervisor trees')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) });
  registerUp(program, io, setExitCode);
  registerServer(program, io);
  registerPs(program, io);
  registerTree(program, io);
  registerNodes(program, io);
  registerTell(program, io);
  registerAsk(program, io);
  registerDlq(program, io);
  registerHub(program, io, setExitCode);
  registerLogs(program, io);
  registerSite(program, io, setExitCode);
  registerDemo(program, io, setExitCode);
  registerApply(program, io, setExitCode);
  registerDiff(program, io, setExitCode);
  registerGet(program, io, setExitCode);
  registerArtifacts(program, io);
  registerDelete(program, io);
  registerRollback(program, io);
  registerDoctor(program, io, setExitCode);
  // Last: it reads the commands and options above. `cairn completion bash|zsh|fish|powershell`
  // prints the script; the script asks the hidden `cairn complete -- <words>` for suggestions.
  tab(program, { completionCommandName: 'completion' });
  return program;
}
