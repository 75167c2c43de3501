import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ManifestCodes } from '../../protocols/index.ts';
import type { Application } from './application-schema.ts';
import type { Diagnostic } from './diagnostic.ts';
import { ManifestError } from './manifest-error.ts';
import { parseManifestOrThrow } from './parse-manifest.ts';

export interface LoadedManifest {
  readonly app: Application;
  readonly warnings: Diagnostic[];
  /** Absolute path of the file; relative paths inside the manifest resolve against its directory. */
  readonly path: string;
}

/**
 * Reads and validates a manifest file. Throws ManifestError: CAIRN_MANIFEST_NOT_FOUND when the file
 * does not exist, CAIRN_MANIFEST_INVALID (with every diagnostic) when it has errors.
 */
export async function loadManifestFile(path: string): Promise<LoadedManifest> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ManifestError(ManifestCodes.NOT_FOUND, `manifest file ${path} not found (looked at ${absolute}): check the path`, {
        source: path,
        cause,
      });
    }
    throw cause;
  }
  const { app, warnings } = parseManifestOrThrow(text, path);
  return { app, warnings, path: absolute };
}
