import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManifestDiagnosticCodes } from '../../protocols/index.ts';
import type { Actor, Application, FileProblem } from '../manifest/index.ts';
import { artifactDigest, artifactRef, artifactsOf, isArtifactRef, isLocalModulePath } from './artifact-ref.ts';
import { bundleBehaviour } from './bundle-behaviour.ts';
import type { BuiltArtifact } from './bundle-behaviour.ts';

/** An actor whose behaviour, or third-party module, is a local file, delivered as an artifact. */
export interface DeliveredBehaviour {
  /** Index in spec.actors. */
  readonly index: number;
  readonly actor: string;
  /** Which field names the file: `behaviour.module`, or `module` (a module by path). */
  readonly field: 'behaviour.module' | 'module';
  /** The path as the manifest wrote it. */
  readonly module: string;
  /** The file it names, resolved against the manifest's folder. */
  readonly file: string;
}


/**
 * Which actors' code `cairn apply` delivers: a behaviour whose module is a local path, in a mode
 * whose code the node loads (inline, worker, process), or a third-party module by path (in any
 * mode: in a container it runs in Cairn's base image). A container's behaviour.module is a path
 * inside its image; a package name is installed on the nodes; a
 * built-in module (cairn/…) is part of Cairn; an artifact reference is delivered already. Pure.
 */
export function deliveredBehaviours(app: Application, baseDir: string): DeliveredBehaviour[] {
  return app.spec.actors.flatMap((a, index) => {
    const [field, module] = a.module !== undefined ? (['module', a.module] as const) : (['behaviour.module', a.behaviour?.module] as const);
    // A container's behaviour.module is a path inside its image; a module's code runs in Cairn's base image, delivered.
    if (module === undefined || (a.mode === 'container' && field === 'behaviour.module') || isArtifactRef(module) || !isLocalModulePath(module)) return [];
    return [{ index, actor: a.id, field, module, file: module.startsWith('file:') ? fileURLToPath(module) : resolve(baseDir, module) }];
  });
}

/** The delivered behaviours whose file does not exist (or is not a file); modules' files are reported by their import. */
export function missingBehaviourFiles(app: Application, baseDir: string): FileProblem[] {
  const out: FileProblem[] = [];
  for (const d of deliveredBehaviours(app, baseDir)) {
    // A module's file is imported to check its config, which reports one that is missing.
    if (d.field === 'module' || (existsSync(d.file) && statSync(d.file).isFile())) continue;
    out.push({
      index: d.index,
      code: ManifestDiagnosticCodes.BEHAVIOUR_FILE_NOT_FOUND,
      message: `actor "${d.actor}": ${d.field} "${d.module}" resolves to ${d.file}, which ${existsSync(d.file) ? 'is not a file' : 'does not exist'} (relative paths are relative to the manifest's folder)`,
    });
  }
  return out;
}

/** One artifact of an application: its bytes, digest, and the actors and paths it came from. */
export interface AppArtifact extends BuiltArtifact {
  /** behaviour.module as the manifest wrote it (the first actor's, when several share the file). */
  readonly source: string;
  readonly actors: readonly string[];
}

export interface PackagedApp {
  /** The application with each delivered behaviour.module and module path replaced by its artifact reference. */
  readonly app: Application;
  readonly artifacts: readonly AppArtifact[];
  /** Files that did not build. Nothing is usable when this is not empty. */
  readonly problems: readonly FileProblem[];
}

/**
 * Bundles every delivered behaviour (once per file) and returns the application as a revision
 * stores it: digests instead of the applying machine's paths.
 */
export async function packageBehaviours(app: Application, baseDir: string): Promise<PackagedApp> {
  const delivered = deliveredBehaviours(app, baseDir);
  const built = new Map<string, BuiltArtifact | Omit<FileProblem, 'index'>>();
  for (const d of delivered) {
    if (built.has(d.file)) continue;
    built.set(
      d.file,
      await bundleBehaviour(d.file).catch((err: unknown): Omit<FileProblem, 'index'> => ({
        ...(d.field === 'module' ? { module: true } : {}),
        code: ManifestDiagnosticCodes.BEHAVIOUR_BUILD_FAILED,
        message: `actor "${d.actor}": ${d.field} "${d.module}" (${d.file}) does not build into one JavaScript file: ${buildErrorText(err)}`,
      })),
    );
  }
  const problems: FileProblem[] = [];
  const artifacts = new Map<string, AppArtifact>();
  const refs = new Map<number, { readonly field: DeliveredBehaviour['field']; readonly ref: string }>();
  for (const d of delivered) {
    const b = built.get(d.file)!;
    if (!('sha256' in b)) {
      problems.push({ ...b, index: d.index });
      continue;
    }
    refs.set(d.index, { field: d.field, ref: artifactRef(b.sha256) });
    const have = artifacts.get(b.sha256);
    artifacts.set(b.sha256, have ? { ...have, actors: [...have.actors, d.actor] } : { ...b, source: d.module, actors: [d.actor] });
  }
  const actors = app.spec.actors.map((a, i): Actor => {
    const r = refs.get(i);
    if (r === undefined) return a;
    return (r.field === 'module' ? { ...a, module: r.ref } : { ...a, behaviour: { ...a.behaviour!, module: r.ref } }) as Actor;
  });
  return { app: { ...app, spec: { ...app.spec, actors } }, artifacts: [...artifacts.values()], problems };
}

/** The artifacts an application's actors reference, by the hex that names them: behaviours' and files' digests, images' ids. Pure. */
export function artifactDigestsOf(app: Application): string[] {
  return [...new Set(artifactsOf(app.spec.actors).map((u) => u.sha256))];
}

function buildErrorText(err: unknown): string {
  const errors = (err as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors;
  if (!errors?.length) return (err as Error).message;
  return errors
    .slice(0, 3)
    .map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text))
    .join('; ');
}
