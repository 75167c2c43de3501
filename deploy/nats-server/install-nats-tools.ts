import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';
import { NATS_SERVER_DOWNLOADS, PINNED_NATS_CLI_VERSION, PINNED_NATS_SERVER_VERSION, parseVersion } from '../../protocols/index.ts';
import { goBinDirs } from './go-bin-dirs.ts';

/** A NATS tool built from its official Go module. */
export interface NatsTool {
  /** The binary's name. */
  readonly name: string;
  /** The Go package `go install` builds. */
  readonly module: string;
  /** The pinned version, without "v". */
  readonly version: string;
}

/** The pinned nats-server, and the NATS CLI (`nats`, with `nats bench`). */
export const NatsTools = {
  server: { name: 'nats-server', module: 'github.com/nats-io/nats-server/v2', version: PINNED_NATS_SERVER_VERSION },
  cli: { name: 'nats', module: 'github.com/nats-io/natscli/nats', version: PINNED_NATS_CLI_VERSION },
} as const satisfies Record<string, NatsTool>;

/** What the installer is doing, for progress output. */
export type InstallProgress =
  | { readonly type: 'present'; readonly tool: NatsTool; readonly path: string }
  | { readonly type: 'building'; readonly tool: NatsTool; readonly command: string; readonly replacing?: { readonly path: string; readonly version: string } }
  | { readonly type: 'go-output'; readonly tool: NatsTool; readonly line: string }
  | { readonly type: 'still-building'; readonly tool: NatsTool; readonly elapsedMs: number }
  | { readonly type: 'built'; readonly tool: NatsTool; readonly path: string; readonly elapsedMs: number };

export interface InstallNatsToolsOptions {
  readonly tools: readonly NatsTool[];
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The Go command. @default "go" (on PATH) */
  readonly go?: string;
  readonly onProgress?: (p: InstallProgress) => void;
  /** How often a build that prints nothing reports that it is still going. @default 10000 */
  readonly heartbeatMs?: number;
  readonly signal?: AbortSignal;
}

/** Where a tool is installed, and whether this run built it. */
export interface InstalledTool {
  readonly tool: NatsTool;
  readonly path: string;
  readonly built: boolean;
}

/**
 * Installs each tool at its pinned version with `go install <module>@v<version>` into the Go bin
 * folder, unless a binary of exactly that version is already in a Go bin folder: a second run
 * builds nothing (and needs no Go). Go's module and build caches make a rebuild after a version
 * change fast. Checks the built binary's version before it reports success.
 */
export async function installNatsTools(opts: InstallNatsToolsOptions): Promise<InstalledTool[]> {
  const env = opts.env ?? process.env;
  const out: InstalledTool[] = [];
  for (const tool of opts.tools) {
    const present = await findInstalled(tool, goBinDirs(env));
    if (present.exact !== undefined) {
      opts.onProgress?.({ type: 'present', tool, path: present.exact });
      out.push({ tool, path: present.exact, built: false });
      continue;
    }
    const go = opts.go ?? 'go';
    const target = await goInstallDir(go, env);
    const command = `go install ${tool.module}@v${tool.version}`;
    opts.onProgress?.({ type: 'building', tool, command, ...(present.other ? { replacing: present.other } : {}) });
    const started = Date.now();
    await runGoInstall(go, tool, env, opts);
    const path = join(target, tool.name);
    const version = await toolVersion(path);
    if (version !== tool.version) {
      throw new CairnError(DeployCodes.NATS_TOOL_INSTALL_FAILED, `\`${command}\` finished, but ${path} reports version ${version ?? '(none)'}, not ${tool.version}. Check GOBIN/GOPATH (\`go env GOBIN GOPATH\`).`, {
        details: { tool: tool.name, path, version },
      });
    }
    opts.onProgress?.({ type: 'built', tool, path, elapsedMs: Date.now() - started });
    out.push({ tool, path, built: true });
  }
  return out;
}

/** The version a NATS tool binary reports (`--version`), undefined when it does not run or prints none. */
export function toolVersion(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: 10_000 }, (err, stdout, stderr) => resolve(err === null ? parseVersion(`${stdout}\n${stderr}`) : undefined));
  });
}

async function findInstalled(tool: NatsTool, dirs: readonly string[]): Promise<{ exact?: string; other?: { path: string; version: string } }> {
  let other: { path: string; version: string } | undefined;
  for (const dir of dirs) {
    const path = join(dir, tool.name);
    if (!(await access(path, constants.X_OK).then(() => true, () => false))) continue;
    const version = await toolVersion(path);
    if (version === tool.version) return { exact: path };
    other ??= { path, version: version ?? 'unknown' };
  }
  return other ? { other } : {};
}

/** Where `go install` writes: GOBIN, else the first GOPATH entry's bin (as Go itself decides). */
async function goInstallDir(go: string, env: NodeJS.ProcessEnv): Promise<string> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(go, ['env', 'GOBIN', 'GOPATH'], { env, timeout: 30_000 }, (err, stdout) => (err === null ? resolve(stdout) : reject(err)));
  }).catch((cause: unknown) => {
    throw goNotFound(go, cause);
  });
  const [gobin = '', gopath = ''] = output.split('\n');
  if (gobin.trim() !== '') return gobin.trim();
  const first = gopath.split(':')[0]?.trim() ?? '';
  return join(first, 'bin');
}

function goNotFound(go: string, cause: unknown): CairnError {
  return new CairnError(
    DeployCodes.GO_NOT_FOUND,
    `Go is needed to build the pinned NATS tools, but \`${go} env\` did not run (${(cause as Error).message}). ` +
      `Install Go 1.24 or newer (https://go.dev/dl/), or get nats-server v${PINNED_NATS_SERVER_VERSION} another way: ` +
      `a release binary from ${NATS_SERVER_DOWNLOADS}, \`brew install nats-server\`, or the \`nats:${PINNED_NATS_SERVER_VERSION}\` container image; then set NATS_SERVER=/path/to/nats-server.`,
    { cause, details: { go } },
  );
}

async function runGoInstall(go: string, tool: NatsTool, env: NodeJS.ProcessEnv, opts: InstallNatsToolsOptions): Promise<void> {
  const started = Date.now();
  const child = spawn(go, ['install', `${tool.module}@v${tool.version}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      opts.onProgress?.({ type: 'go-output', tool, line });
    });
  }
  // Compiling prints nothing for a minute: say that it is still going.
  const heartbeat = setInterval(() => opts.onProgress?.({ type: 'still-building', tool, elapsedMs: Date.now() - started }), opts.heartbeatMs ?? 10_000);
  const onAbort = (): void => void child.kill('SIGTERM');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, error }));
      child.once('close', (code) => resolve({ code }));
    });
    if (exit.error !== undefined) throw goNotFound(go, exit.error);
    if (opts.signal?.aborted) {
      throw new CairnError(DeployCodes.NATS_TOOL_INSTALL_FAILED, `Building ${tool.name} v${tool.version} was interrupted; run the install again.`, { details: { tool: tool.name } });
    }
    if (exit.code !== 0) {
      throw new CairnError(
        DeployCodes.NATS_TOOL_INSTALL_FAILED,
        `\`go install ${tool.module}@v${tool.version}\` exited with code ${String(exit.code)}. Its last output:\n${tail.join('\n') || '(none)'}\n` +
          `Check that the Go module proxy is reachable (\`go env GOPROXY\`), or get the binary from ${NATS_SERVER_DOWNLOADS}.`,
        { details: { tool: tool.name, code: exit.code, output: tail } },
      );
    }
  } finally {
    clearInterval(heartbeat);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
