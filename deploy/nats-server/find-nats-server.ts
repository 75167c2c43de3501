import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CairnError } from '../../protocols/errors/cairn-error.ts';
import { DeployCodes } from '../../protocols/errors/deploy-codes.ts';

/** Where findNatsServer looks, in order. */
export interface FindNatsServerOptions {
  /** An explicit path to the binary; when given, nothing else is tried. */
  path?: string;
  /**
   * The environment to read `NATS_SERVER` and `PATH` from.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Directories searched after PATH (Debian installs nats-server to /usr/sbin, which is not on a
   * normal user's PATH).
   * @default ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin"]
   */
  extraDirs?: readonly string[];
}

const BINARY = 'nats-server';
const DEFAULT_EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];
const INSTALL_HINT = 'Install it with `apt-get install -y nats-server`, or set NATS_SERVER=/path/to/nats-server.';

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the nats-server binary: `opts.path` if given, else `NATS_SERVER`, else the first
 * `nats-server` on PATH, then in `extraDirs` (/usr/sbin, /usr/local/sbin, /usr/local/bin).
 * An explicit path or NATS_SERVER that is not an executable file is an error, not a fallback,
 * so a typo never silently runs a different server.
 */
export async function findNatsServer(opts: FindNatsServerOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  if (opts.path !== undefined) {
    if (await isExecutableFile(opts.path)) return opts.path;
    throw new CairnError(
      DeployCodes.NATS_SERVER_NOT_FOUND,
      `nats-server path "${opts.path}" is not an executable file. Pass the path of a nats-server binary. ${INSTALL_HINT}`,
      { details: { path: opts.path } },
    );
  }
  const fromEnv = env['NATS_SERVER'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (await isExecutableFile(fromEnv)) return fromEnv;
    throw new CairnError(
      DeployCodes.NATS_SERVER_NOT_FOUND,
      `NATS_SERVER="${fromEnv}" is not an executable file. Point NATS_SERVER at a nats-server binary or unset it. ${INSTALL_HINT}`,
      { details: { NATS_SERVER: fromEnv } },
    );
  }
  const pathDirs = (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  const extraDirs = opts.extraDirs ?? DEFAULT_EXTRA_DIRS;
  const dirs = [...pathDirs, ...extraDirs.filter((d) => !pathDirs.includes(d))];
  for (const dir of dirs) {
    const candidate = join(dir, BINARY);
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw new CairnError(
    DeployCodes.NATS_SERVER_NOT_FOUND,
    `nats-server was not found in ${dirs.join(', ') || '(no directories)'}. ${INSTALL_HINT}`,
    { details: { searched: dirs } },
  );
}

/** Parses "nats-server: v2.9.10" (or "2.9.10") into "2.9.10"; undefined if there is no version. */
export function parseNatsServerVersion(text: string): string | undefined {
  return /v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(text)?.[1];
}

/** True when `version` ("2.9.10") is at least `min` ("2.10.0"); pre-release suffixes are ignored. */
export function natsServerVersionAtLeast(version: string, min: string): boolean {
  const parts = (v: string): number[] => v.split('-')[0]!.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const a = parts(version);
  const b = parts(min);
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** Runs `<binary> --version` and returns the version, e.g. "2.9.10". */
export function natsServerVersion(binary: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['--version'], { timeout: 10_000 }, (err, stdout, stderr) => {
      const version = parseNatsServerVersion(`${stdout}\n${stderr}`);
      if (err !== null || version === undefined) {
        reject(
          new CairnError(
            DeployCodes.NATS_SERVER_VERSION_FAILED,
            `"${binary} --version" did not print a version (output: ${JSON.stringify(`${stdout}${stderr}`.trim())}). ` +
              `Check that "${binary}" is a nats-server binary that runs here. ${INSTALL_HINT}`,
            { cause: err ?? undefined, details: { binary } },
          ),
        );
        return;
      }
      resolve(version);
    });
  });
}
