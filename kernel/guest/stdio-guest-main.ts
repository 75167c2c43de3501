// Entry point of a JavaScript actor guest on stdin/stdout (process and container modes):
//   node --import tsx kernel/guest/stdio-guest-main.ts <module> [export]
// Guests started by jsProcessSpec/jsContainerSpec use a pre-bundled entry instead (no tsx at run
// time; see kernel/runtimes/guest-bundle.ts); this one serves any module given on the command line.
import { loadDefinition } from './serve-guest.ts';
import { runStdioGuest } from './run-stdio-guest.ts';

const [modulePath, exportName] = process.argv.slice(2);
if (!modulePath) {
  console.error('usage: stdio-guest-main.ts <module> [export]');
  process.exit(2);
}
await runStdioGuest(() => loadDefinition(modulePath, exportName));
