import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnError, DeployCodes } from '../../protocols/index.ts';

/** What `cairn up` writes to `<data-dir>/cairn-up.json` so that other commands find it. */
export interface UpFile {
  /** Client URL of the embedded nats-server. */
  readonly url: string;
  readonly site: string;
  /** The `cairn up` process. */
  readonly pid: number;
  /** The nats-server process it started. */
  readonly natsPid: number;
  readonly node: string;
  readonly startedAt: string;
}

export const UP_FILE_NAME = 'cairn-up.json';

/** The data directory commands look in when none is given: `CAIRN_DATA_DIR`, else `.cairn`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['CAIRN_DATA_DIR'] || '.cairn';
}

export function upFilePath(dataDir: string): string {
  return join(dataDir, UP_FILE_NAME);
}

export async function writeUpFile(dataDir: string, up: UpFile): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(upFilePath(dataDir), `${JSON.stringify(up, null, 2)}\n`);
}

/** The up file of `dataDir`, or undefined when there is none. A file that is not an UpFile is an error. */
export async function readUpFile(dataDir: string): Promise<UpFile | undefined> {
  const path = upFilePath(dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CairnError(DeployCodes.CLI_UP_FILE_INVALID, `cannot read ${path} (${(err as Error).message}); fix its permissions, delete it, or pass --server`, { cause: err, details: { path } });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CairnError(DeployCodes.CLI_UP_FILE_INVALID, `${path} is not JSON (${(err as Error).message}); delete it (the next \`cairn up\` rewrites it) or pass --server`, { cause: err, details: { path } });
  }
  const o = value as Partial<Record<keyof UpFile, unknown>>;
  if (typeof o !== 'object' || o === null || typeof o.url !== 'string' || typeof o.site !== 'string' || typeof o.pid !== 'number') {
    throw new CairnError(DeployCodes.CLI_UP_FILE_INVALID, `${path} holds ${JSON.stringify(value)?.slice(0, 120)}, not {url, site, pid}; delete it (the next \`cairn up\` rewrites it) or pass --server`, { details: { path } });
  }
  return {
    url: o.url,
    site: o.site,
    pid: o.pid,
    natsPid: typeof o.natsPid === 'number' ? o.natsPid : 0,
    node: typeof o.node === 'string' ? o.node : '',
    startedAt: typeof o.startedAt === 'string' ? o.startedAt : '',
  };
}

export async function removeUpFile(dataDir: string): Promise<void> {
  await rm(upFilePath(dataDir), { force: true });
}

/** True while a process with this pid exists (signal 0 checks without signalling). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
