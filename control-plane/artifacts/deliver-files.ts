import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ManifestDiagnosticCodes } from '../../protocols/index.ts';
import type { Actor, Application, FileProblem } from '../manifest/index.ts';
import { artifactRef, isArtifactRef } from './artifact-ref.ts';
import { fileSha256 } from './file-digest.ts';
import type { ArtifactStore } from './artifact-store.ts';

/** One entry of an actor's `files` that `cairn apply` delivers. */
export interface DeliveredFile {
  readonly actor: string;
  readonly name: string;
  /** As the manifest wrote it. */
  readonly path: string;
  /** Resolved against the manifest's folder. */
  readonly file: string;
  readonly sha256: string;
  readonly size: number;
}

/**
 * Every entry of the actors' `files` (not already an artifact reference): its digest and size, and
 * the application with each path replaced by `artifact:sha256:<hex>`. A path that is missing or not
 * a file is a problem at `spec.actors[i].files.<name>` (CAIRN_MANIFEST_FILE_NOT_FOUND).
 */
export async function packageFiles(app: Application, baseDir: string): Promise<{ readonly app: Application; readonly files: readonly DeliveredFile[]; readonly problems: readonly FileProblem[] }> {
  const files: DeliveredFile[] = [];
  const problems: FileProblem[] = [];
  const actors: Actor[] = [];
  for (const [index, a] of app.spec.actors.entries()) {
    if (!a.files || Object.keys(a.files).length === 0) {
      actors.push(a);
      continue;
    }
    const refs: Record<string, string> = {};
    for (const [name, path] of Object.entries(a.files)) {
      if (isArtifactRef(path)) {
        refs[name] = path;
        continue;
      }
      const file = resolve(baseDir, path);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) {
        problems.push({ index, file: name, code: ManifestDiagnosticCodes.FILE_NOT_FOUND, message: `actor "${a.id}": files.${name} "${path}" resolves to ${file}, which ${existsSync(file) ? 'is not a file' : 'does not exist'} (relative paths are relative to the manifest's folder)` });
        continue;
      }
      const sha256 = await fileSha256(file);
      files.push({ actor: a.id, name, path, file, sha256, size: info.size });
      refs[name] = artifactRef(sha256);
    }
    actors.push({ ...a, files: refs } as Actor);
  }
  return { app: { ...app, spec: { ...app.spec, actors } }, files, problems };
}

/** Stores a delivered file as chunks (only those the cloud lacks are sent) unless it is stored already. */
export function storeFile(store: ArtifactStore, f: DeliveredFile): Promise<{ readonly uploaded: boolean; readonly size: number; readonly sentBytes: number }> {
  return store.putFile(f.sha256, async () => createReadStream(f.file) as AsyncIterable<Uint8Array>, f.path);
}
