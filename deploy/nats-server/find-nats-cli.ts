import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';
import { NATS_SERVER_INSTALL_COMMAND } from '../../protocols/index.ts';
import { goBinDirs } from './go-bin-dirs.ts';
import { toolVersion } from './install-nats-tools.ts';

/** The NATS CLI (`nats`) and the version it reports. */
export interface FoundNatsCli {
  readonly path: string;
  readonly version: string | undefined;
}

/**
 * Finds the NATS CLI for the benchmarks' `nats bench`: `NATS_CLI`, else `nats` on PATH, else in the
 * Go bin folder (where `cairn server install` puts it).
 */
export async function locateNatsCli(env: NodeJS.ProcessEnv = process.env): Promise<FoundNatsCli> {
  const explicit = env['NATS_CLI'];
  const candidates = explicit !== undefined && explicit !== '' ? [explicit] : [...(env['PATH'] ?? '').split(delimiter).filter((d) => d !== ''), ...goBinDirs(env)].map((d) => join(d, 'nats'));
  for (const path of candidates) {
    if (await access(path, constants.X_OK).then(() => true, () => false)) return { path, version: await toolVersion(path) };
  }
  throw new CairnError(
    DeployCodes.NATS_CLI_NOT_FOUND,
    `${explicit ? `NATS_CLI="${explicit}" is not an executable file` : `the NATS CLI (nats) was not found in ${candidates.map((c) => c.slice(0, -'/nats'.length)).join(', ')}`}. ` +
      `Install it with \`${NATS_SERVER_INSTALL_COMMAND}\`, or set NATS_CLI=/path/to/nats.`,
    { details: { searched: candidates } },
  );
}
