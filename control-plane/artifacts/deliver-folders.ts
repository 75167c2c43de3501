import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CairnError, ManifestDiagnosticCodes } from '../../protocols/index.ts';
import type { Actor, Application, FileProblem } from '../manifest/index.ts';
import { artifactRef, isArtifactRef } from './artifact-ref.ts';
import type { DeliveredFile } from './deliver-files.ts';
import { archiveFolder } from './folder-archive.ts';
import type { FolderFilter } from './folder-archive.ts';

/** A folder field of an actor that `cairn apply` delivers: a program's folder, or a container's build context. */
export type FolderField = 'program.dir' | 'container.build.context';

/** One folder to deliver: which actor and field name it, and the path as written. Pure. */
export interface FolderUse {
  readonly index: number;
  readonly actor: string;
  readonly field: FolderField;
  readonly path: string;
  /** A build context's Dockerfile (relative to it). */
  readonly dockerfile?: string;
}

/**
 * The folders an application's actors name by local path: `program.dir`, and a container's
 * `container.build.context` (an artifact reference is delivered already). Pure.
 */
export function deliveredFolders(app: Application): FolderUse[] {
  return app.spec.actors.flatMap((a, index): FolderUse[] => {
    const out: FolderUse[] = [];
    const dir = a.program?.dir;
    if (dir !== undefined && !isArtifactRef(dir)) out.push({ index, actor: a.id, field: 'program.dir', path: dir });
    const context = a.mode === 'container' ? a.container?.build?.context : undefined;
    if (context !== undefined && !isArtifactRef(context)) out.push({ index, actor: a.id, field: 'container.build.context', path: context, dockerfile: a.container!.build!.dockerfile });
    return out;
  });
}

/** The application with the folder `field` of actor `index` replaced by `ref`. Pure. */
export function withFolderRef(app: Application, index: number, field: FolderField, ref: string): Application {
  const actors = app.spec.actors.map((a, i): Actor => {
    if (i !== index) return a;
    if (field === 'program.dir') return { ...a, program: { ...a.program!, dir: ref } } as Actor;
    return { ...a, container: { ...a.container!, build: { ...a.container!.build!, context: ref } } } as Actor;
  });
  return { ...app, spec: { ...app.spec, actors } };
}

/** What packageFolders made: the application with references, the archives to store (as delivered files), and where they wait. */
export interface PackagedFolders {
  readonly app: Application;
  readonly files: readonly DeliveredFile[];
  readonly problems: readonly FileProblem[];
  /** Removes the archives (call once they are stored, or not needed). */
  release(): Promise<void>;
}

/**
 * Archives every delivered folder (folder-archive.ts: the same folder gives the same digest) into a
 * temporary file, and returns the application with each folder replaced by `artifact:sha256:<hex>`.
 * A build context leaves out what its `.dockerignore` excludes, as `docker build` would; a
 * program's folder what its `.cairnignore` (same syntax) excludes, and PROGRAM_LEFT_OUT. A folder
 * that is missing or holds what cannot be delivered is a problem at its field
 * (CAIRN_MANIFEST_FILE_NOT_FOUND, CAIRN_MANIFEST_FOLDER_NOT_DELIVERABLE).
 */
export async function packageFolders(app: Application, baseDir: string): Promise<PackagedFolders> {
  const uses = deliveredFolders(app);
  if (uses.length === 0) return { app, files: [], problems: [], release: async () => undefined };
  const temporary = await mkdtemp(join(tmpdir(), 'cairn-apply-'));
  const release = (): Promise<void> => rm(temporary, { recursive: true, force: true });
  try {
    const files: DeliveredFile[] = [];
    const problems: FileProblem[] = [];
    let out = app;
    for (const [n, use] of uses.entries()) {
      const dir = resolve(baseDir, use.path);
      const tar = join(temporary, `${n}.tar`);
      const field = use.field.split('.');
      const info = await stat(dir).catch(() => undefined);
      if (!info?.isDirectory()) {
        problems.push({ index: use.index, field, code: ManifestDiagnosticCodes.FILE_NOT_FOUND, message: `actor "${use.actor}": ${use.field} "${use.path}" resolves to ${dir}, which ${info ? 'is not a directory' : 'does not exist'} (relative paths are relative to the manifest's folder)` });
        continue;
      }
      try {
        const skip = use.field === 'container.build.context' ? await ignoreFilter(dir, '.dockerignore', [use.dockerfile ?? 'Dockerfile', '.dockerignore']) : await ignoreFilter(dir, '.cairnignore', [], PROGRAM_LEFT_OUT);
        const archived = await archiveFolder(dir, tar, skip);
        files.push({ actor: use.actor, name: use.field, path: use.path, file: tar, sha256: archived.sha256, size: archived.size });
        out = withFolderRef(out, use.index, use.field, artifactRef(archived.sha256));
      } catch (cause) {
        if (!(cause instanceof CairnError)) throw cause;
        problems.push({ index: use.index, field, code: ManifestDiagnosticCodes.FOLDER_NOT_DELIVERABLE, message: `actor "${use.actor}": ${use.field} "${use.path}" cannot be delivered: ${cause.message}` });
      }
    }
    return { app: out, files, problems, release };
  } catch (err) {
    await release();
    throw err;
  }
}

/**
 * What a program's folder leaves out whatever its `.cairnignore` says: Python's byte code (written
 * by each run, with the sources' times in it: it would change the digest) and git's folder.
 */
export const PROGRAM_LEFT_OUT = ['__pycache__', '**/__pycache__', '*.pyc', '**/*.pyc', '.git'];

/**
 * What a folder's ignore file (`.dockerignore` syntax, read by @balena/dockerignore as Docker reads
 * it) and `always` leave out; `keep` is never left out (Docker always sends the Dockerfile and the
 * .dockerignore). With an exception rule (`!path`), folders are walked into rather than left out
 * whole, so what the exception brings back is found.
 */
async function ignoreFilter(dir: string, file: string, keep: readonly string[], always: readonly string[] = []): Promise<FolderFilter | undefined> {
  const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
  const lines = [...always, ...(text?.split(/\r?\n/) ?? [])];
  if (lines.length === 0) return undefined;
  // A CommonJS module: its function is `default` (and `default.default`, which its types name).
  const ignore = (await import('@balena/dockerignore')).default as unknown as typeof import('@balena/dockerignore').default;
  const rules = ignore().add(lines);
  const exceptions = lines.some((l) => l.trim().startsWith('!'));
  return (path, directory) => !keep.includes(path) && !(directory && exceptions) && rules.ignores(path);
}
