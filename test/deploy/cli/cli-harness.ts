import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLogWatch } from '../../helpers/log-watch.ts';
import type { LogWatch } from '../../helpers/log-watch.ts';
import type { CliIo } from '../../../deploy/cli/index.ts';

export const CAIRN_BIN = fileURLToPath(new URL('../../../bin/cairn.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** An environment without the CAIRN_* variables of whoever runs the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAIRN_')));
  return { ...env, ...extra };
}

export interface BinResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/cairn.mjs <args>` to completion (in `env`, else the test's own without CAIRN_*). */
export function runBin(args: readonly string[], timeoutMs = 30_000, env: NodeJS.ProcessEnv = cleanEnv()): Promise<BinResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CAIRN_BIN, ...args], { cwd: REPO, env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running `cairn` child (e.g. `up`) whose stdout and stderr lines can be awaited. */
export interface BinProcess {
  readonly child: ChildProcess;
  readonly stdout: LogWatch;
  readonly stderr: LogWatch;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startBin(args: readonly string[]): BinProcess {
  const child = spawn(process.execPath, [CAIRN_BIN, ...args], { cwd: REPO, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = createLogWatch();
  const stderr = createLogWatch();
  createInterface({ input: child.stdout! }).on('line', (l) => stdout.onLog(l));
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.onLog(l));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('close', (code, signal) => r({ code, signal })));
  return { child, stdout, stderr, exited };
}

/** A CliIo that records what a command printed, for runCli in-process. */
export function captureIo(env: NodeJS.ProcessEnv = cleanEnv()): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, env, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t) };
}
