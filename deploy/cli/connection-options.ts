import type { Command } from 'commander';
// find-site.ts itself, not the embedded site's index: every command loads this, and the index brings the whole node.
import { DEFAULT_SERVER, DEFAULT_SITE, findSite } from '../embedded/find-site.ts';
import type { FoundSite } from '../embedded/find-site.ts';
import { addOutputOptions } from './output-format.ts';
import type { OutputFlags } from './output-format.ts';

/** Options every command that talks to a running site takes. */
export interface ConnectionFlags extends OutputFlags {
  readonly server?: string;
  readonly site?: string;
  readonly dataDir?: string;
}

/** Where a command connects, and why there. */
export type Connection = FoundSite;

export { DEFAULT_SERVER, DEFAULT_SITE };

export function addConnectionOptions(cmd: Command): Command {
  return addOutputOptions(cmd)
    .option('-s, --server <url>', `NATS URL of the site (default: $CAIRN_SERVER, else the URL in <data-dir>/cairn-up.json, else ${DEFAULT_SERVER})`)
    .option('--site <name>', `site name (default: $CAIRN_SITE, else the site in cairn-up.json, else the server's own: its JetStream domain or the one node registry it holds, else "${DEFAULT_SITE}")`)
    .option('--data-dir <dir>', 'data directory of `cairn up`, where cairn-up.json is read (default: $CAIRN_DATA_DIR or .cairn)');
}

/** Resolves server and site from the flags: findSite's rule (a flag, the environment, cairn-up.json, the defaults). */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Promise<Connection> {
  return findSite(flags, env);
}
