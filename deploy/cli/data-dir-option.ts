import { Option } from 'commander';
import type { Command } from 'commander';
import { CairnError, DeployCodes } from '../../protocols/index.ts';
import type { CliIo } from './cli-io.ts';

/**
 * One name for the folder a command keeps a deployment's files in (configs, stores, logs):
 * `--data-dir`, in every command. `site init` once said `--out` and `site up`/`join`/`demo` `--dir`;
 * those still work (hidden), with a note on stderr.
 */
/** `--app-dir` of the commands that start a node (up, site up, site join). */
export const APP_DIR_HELP =
  "where the paths of a revision stored without `cairn apply` resolve on this node; what apply stores (behaviours, modules, files, programs' folders, build contexts) travels with the manifest (default: the current directory)";

/** Where `site init` writes and `site up`/`join` read when no folder is named. */
export const DEFAULT_SITES_DIR = '.cairn-sites';

export interface DataDirFlags {
  readonly dataDir?: string;
  /** The older name of `site up`, `site join` and `demo`. */
  readonly dir?: string;
  /** The older name of `site init`. */
  readonly out?: string;
}

export function addDataDirOption(cmd: Command, description: string, legacy: '--dir' | '--out'): Command {
  return cmd.option('--data-dir <dir>', description).addOption(new Option(`${legacy} <dir>`, `the older name of --data-dir`).hideHelp());
}

/** The folder the flags name (undefined: none given); the older name says so, and both differing is a usage error. */
export function dataDirOf(flags: DataDirFlags, io: CliIo): string | undefined {
  const [legacyName, legacy] = flags.dir !== undefined ? ['--dir', flags.dir] : flags.out !== undefined ? ['--out', flags.out] : [undefined, undefined];
  if (legacy === undefined) return flags.dataDir;
  if (flags.dataDir !== undefined && flags.dataDir !== legacy) {
    throw new CairnError(DeployCodes.CLI_USAGE, `--data-dir ${flags.dataDir} and ${legacyName} ${legacy} name different folders; ${legacyName} is the older name of --data-dir: give one`);
  }
  io.err(`note: ${legacyName} is now --data-dir (the same name in every command); ${legacyName} still works`);
  return legacy;
}
