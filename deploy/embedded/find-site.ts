import { assertName } from '../../protocols/index.ts';
import { defaultDataDir, readUpFile } from './up-file.ts';

export const DEFAULT_SERVER = 'nats://127.0.0.1:4222';
export const DEFAULT_SITE = 'local';

/** Where to connect to a site, and why there. */
export interface FoundSite {
  readonly server: string;
  readonly site: string;
  /** "--server", "CAIRN_SERVER", "<data-dir>/cairn-up.json" or "default". */
  readonly source: string;
  /** Where `site` came from: "--site", "CAIRN_SITE", "<data-dir>/cairn-up.json" or "default" (then a client asks the server, see CairnClient.connect). */
  readonly siteSource: string;
}

/**
 * Finds the running site, as every `cairn` command does: a value given wins (`server`, `site`),
 * then the environment (CAIRN_SERVER, CAIRN_SITE), then what `cairn up` wrote to
 * `<dataDir>/cairn-up.json` (CAIRN_DATA_DIR, else `.cairn`), then nats://127.0.0.1:4222 and "local".
 */
export async function findSite(given: { readonly server?: string; readonly site?: string; readonly dataDir?: string } = {}, env: NodeJS.ProcessEnv = process.env): Promise<FoundSite> {
  const dataDir = given.dataDir ?? defaultDataDir(env);
  const needUpFile = (given.server === undefined && !env['CAIRN_SERVER']) || (given.site === undefined && !env['CAIRN_SITE']);
  const up = needUpFile ? await readUpFile(dataDir) : undefined;
  const [server, source] =
    given.server !== undefined
      ? [given.server, '--server']
      : env['CAIRN_SERVER']
        ? [env['CAIRN_SERVER'], 'CAIRN_SERVER']
        : up
          ? [up.url, `${dataDir}/cairn-up.json`]
          : [DEFAULT_SERVER, 'default'];
  const [site, siteSource] =
    given.site !== undefined ? [given.site, '--site'] : env['CAIRN_SITE'] ? [env['CAIRN_SITE'], 'CAIRN_SITE'] : up ? [up.site, `${dataDir}/cairn-up.json`] : [DEFAULT_SITE, 'default'];
  assertName(site, 'site name');
  return { server, site, source, siteSource };
}
