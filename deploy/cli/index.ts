// Public face of deploy/cli: the `cairn` command line and its pure formatting functions.
export { main, runCli } from './main.ts';
export { buildProgram } from './program.ts';
export type { CliIo } from './cli-io.ts';
export { processIo } from './cli-io.ts';
export { ExitCodes, USAGE_ERROR_CODES } from './exit-codes.ts';
export type { ExitCode } from './exit-codes.ts';
export { DEFAULT_SERVER, DEFAULT_SITE, resolveConnection } from './connection-options.ts';
export type { Connection, ConnectionFlags } from './connection-options.ts';
export { formatDuration } from './format-duration.ts';
export { formatTable } from './format-table.ts';
export type { Column } from './format-table.ts';
export { describeTreeNode, formatTree } from './format-tree.ts';
export { formatPs } from './format-ps.ts';
export { formatNodes, isStale } from './format-nodes.ts';
export { deadLetterJson, formatDeadLetters } from './format-dead-letters.ts';
export { formatEvent } from './format-event.ts';
export { errorPosition, parseJsonMessage } from './parse-json-message.ts';
export { READY_PREFIX } from './up.ts';
