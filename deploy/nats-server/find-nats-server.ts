import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';
import { KernelCodes } from '../../protocols/index.ts';
import { MIN_NATS_SERVER_VERSION, NATS_SERVER_DOWNLOADS, NATS_SERVER_INSTALL_COMMAND, parseVersion, tooOldMessage, versionAtLeast } from '../../protocols/index.ts';
import { goBinDirs } from './go-bin-dirs.ts';

/** Where findNatsServer looks, in order. */
export interface FindNatsServerOptions {
  /** An explicit path to the binary; when given, nothing else is tried. */
  path?: string;
  /**
   * The environment to read `NATS_SERVER`, `PATH` and the Go bin folder (`GOBIN`, `GOPATH`, `HOME`) from.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Directories searched after PATH and the Go bin folder (Debian installs nats-server to
   * /usr/sbin, which is not on a normal user's PATH).
   * @default ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin"]
   */
  extraDirs?: readonly string[];
  /** The oldest version accepted. @default MIN_NATS_SERVER_VERSION */
  minimum?: string;
}

/** A nats-server binary and the version it reports. */
export interface FoundNatsServer {
  readonly path: string;
  readonly version: string;
}

const BINARY = 'nats-server';
const DEFAULT_EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];
const INSTALL_HINT = `Install the pinned one with \`${NATS_SERVER_INSTALL_COMMAND}\` (builds it with Go), download a release from ${NATS_SERVER_DOWNLOADS}, or set NATS_SERVER=/path/to/nats-server.`;

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
 * The directories searched for nats-server when neither a path nor NATS_SERVER is given: PATH,
 * then the Go bin folder (where `cairn server install` and `go install` put it), then `extraDirs`.
 */
export function natsServerSearchDirs(env: NodeJS.ProcessEnv, extraDirs: readonly string[] = DEFAULT_EXTRA_DIRS): string[] {
  const dirs: string[] = [];
  for (const dir of [...(env['PATH'] ?? '').split(delimiter), ...goBinDirs(env), ...extraDirs]) {
    if (dir !== '' && !dirs.includes(dir)) dirs.push(dir);
  }
  return dirs;
}

/**
 * Finds a nats-server Cairn can run and returns its path: `opts.path` if given, else
 * `NATS_SERVER`, else the first `nats-server` at least `minimum` in natsServerSearchDirs (PATH, the
 * Go bin folder, /usr/sbin, ...). Older servers met on the way are passed over, so an old
 * distribution package does not shadow the pinned build; when nothing new enough is found the
 * error names every old one. An explicit path or NATS_SERVER is never passed over: one that is
 * not an executable, or too old, is an error, so a typo never silently runs a different server.
 */
export async function findNatsServer(opts: FindNatsServerOptions = {}): Promise<string> {
  return (await locateNatsServer(opts)).path;
}

/** As findNatsServer, with the version the binary reports. */
export async function locateNatsServer(opts: FindNatsServerOptions = {}): Promise<FoundNatsServer> {
  const env = opts.env ?? process.env;
  const minimum = opts.minimum ?? MIN_NATS_SERVER_VERSION;
  const chosen = opts.path ?? (env['NATS_SERVER'] !== undefined && env['NATS_SERVER'] !== '' ? env['NATS_SERVER'] : undefined);
  if (chosen !== undefined) {
    const source = opts.path !== undefined ? `nats-server path "${chosen}"` : `NATS_SERVER="${chosen}"`;
    if (!(await isExecutableFile(chosen))) {
      throw new CairnError(DeployCodes.NATS_SERVER_NOT_FOUND, `${source} is not an executable file. Point it at a nats-server binary. ${INSTALL_HINT}`, {
        details: opts.path !== undefined ? { path: chosen } : { NATS_SERVER: chosen },
      });
    }
    const version = await natsServerVersion(chosen);
    if (!versionAtLeast(version, minimum)) throw tooOld([{ path: chosen, version }], minimum);
    return { path: chosen, version };
  }
  const dirs = natsServerSearchDirs(env, opts.extraDirs);
  const tooOldOnes: FoundNatsServer[] = [];
  for (const dir of dirs) {
    const candidate = join(dir, BINARY);
    if (!(await isExecutableFile(candidate))) continue;
    const version = await natsServerVersion(candidate);
    if (versionAtLeast(version, minimum)) return { path: candidate, version };
    tooOldOnes.push({ path: candidate, version });
  }
  if (tooOldOnes.length > 0) throw tooOld(tooOldOnes, minimum);
  throw new CairnError(DeployCodes.NATS_SERVER_NOT_FOUND, `nats-server was not found in ${dirs.join(', ') || '(no directories)'}. ${INSTALL_HINT}`, {
    details: { searched: dirs },
  });
}

function tooOld(found: readonly FoundNatsServer[], minimum: string): CairnError {
  const first = found[0]!;
  const others = found.slice(1).map((f) => `${f.version} at ${f.path}`);
  return new CairnError(
    KernelCodes.NATS_SERVER_TOO_OLD,
    minimum === MIN_NATS_SERVER_VERSION
      ? tooOldMessage(first.version, first.path) + (others.length > 0 ? ` Also too old: ${others.join(', ')}.` : '')
      : `nats-server ${first.version} (${first.path}) is older than ${minimum}. ${INSTALL_HINT}`,
    { details: { found, minimum } },
  );
}

// Running `--version` costs ~10 ms; tests start hundreds of servers from the same few binaries.
const versions = new Map<string, Promise<string>>();

/** Runs `<binary> --version` and returns the version, e.g. "2.15.2" (cached per binary file and its mtime). */
export async function natsServerVersion(binary: string): Promise<string> {
  const info = await stat(binary).catch(() => undefined);
  const key = `${binary}\0${info?.mtimeMs ?? ''}\0${info?.size ?? ''}`;
  let version = versions.get(key);
  if (version === undefined) {
    version = runVersion(binary);
    versions.set(key, version);
    version.catch(() => versions.delete(key));
  }
  return version;
}

function runVersion(binary: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['--version'], { timeout: 10_000 }, (err, stdout, stderr) => {
      const version = parseVersion(`${stdout}\n${stderr}`);
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
