/** Where a command writes, and the environment it reads: the process's, or a test's. */
export interface CliIo {
  /** One line (or block) of command output, on stdout. */
  out(text: string): void;
  /** Diagnostics and errors, on stderr. */
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
  env: process.env,
};
