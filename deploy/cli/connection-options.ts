import type { Command } from 'commander';
import { defaultDataDir, readUpFile } from '../embedded/index.ts';
import { assertName } from '../../protocols/index.ts';

/** Options every command that talks to a running site takes. */
export interface ConnectionFlags {
  readonly server?: string;
  readonly site?: string;
  readonly dataDir?: string;
  readonly json?: boolean;
}

/** Where a command connects, and why there. */
export interface Connection {
  readonly server: string;
  readonly site: string;
  /** "--server", "CAIRN_SERVER", "<data-dir>/cairn-up.json" or "default". */
  readonly source: string;
}

export const DEFAULT_SERVER = 'nats://127.0.0.1:4222';
export const DEFAULT_SITE = 'local';

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', `NATS URL of the site (default: $CAIRN_SERVER, else the URL in <data-dir>/cairn-up.json, else ${DEFAULT_SERVER})`)
    .option('--site <name>', `site name (default: $CAIRN_SITE, else the site in cairn-up.json, else "${DEFAULT_SITE}")`)
    .option('--data-dir <dir>', 'data directory of `cairn up`, where cairn-up.json is read (default: $CAIRN_DATA_DIR or .cairn)')
    .option('--json', 'print machine-readable JSON');
}

/**
 * Resolves server and site: a flag wins, then the environment, then what `cairn up` wrote to
 * `<data-dir>/cairn-up.json`, then the defaults.
 */
export async function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Promise<Connection> {
  const dataDir = flags.dataDir ?? defaultDataDir(env);
  const needUpFile = flags.server === undefined && !env['CAIRN_SERVER'] || flags.site === undefined && !env['CAIRN_SITE'];
  const up = needUpFile ? await readUpFile(dataDir) : undefined;
  const [server, source] =
    flags.server !== undefined
      ? [flags.server, '--server']
      : env['CAIRN_SERVER']
        ? [env['CAIRN_SERVER'], 'CAIRN_SERVER']
        : up
          ? [up.url, `${dataDir}/cairn-up.json`]
          : [DEFAULT_SERVER, 'default'];
  const site = flags.site ?? (env['CAIRN_SITE'] || undefined) ?? up?.site ?? DEFAULT_SITE;
  assertName(site, 'site name');
  return { server, site, source };
}
