import { join } from 'node:path';
import type { JetStreamClient, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { Buckets, ObjectStoreLayout, Streams } from '../../protocols/index.ts';
import { cloudMirrorConfig } from '../cloud-mirror.ts';
import { PACKAGE_ROOT } from '../../kernel/runtimes/index.ts';
import type { Actor, Application } from '../manifest/index.ts';
import { ArtifactStore } from './artifact-store.ts';
import type { ArtifactCache, ArtifactSource, FileSource } from './artifact-cache.ts';
import { artifactDigest, artifactsOf, isArtifactRef } from './artifact-ref.ts';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CairnError, DeployCodes } from '../../protocols/index.ts';

/**
 * Where a node keeps artifacts when it is not told (`cairn up` and `site up` use their data dir):
 * `.cache/artifacts` in Cairn's package folder. Not under a node_modules folder: a test runner
 * (vitest) loads what is there without its TypeScript transform, and a linked artifact of a node
 * running from Cairn's sources imports them.
 */
export const DEFAULT_ARTIFACT_DIR = join(PACKAGE_ROOT, '.cache', 'artifacts');

/**
 * The stream config of an edge's mirror of the cloud's cairn_artifacts: the edge reads artifacts
 * from its own domain (also while the link is down), and the server fetches what the cloud adds,
 * resuming where it stopped after a cut (an object's chunks are messages: a big one is not sent again).
 */
export function artifactsMirrorConfig(cloudDomain: string): Partial<StreamConfig> & { name: string } {
  return cloudMirrorConfig(ObjectStoreLayout.stream(Buckets.artifacts), cloudDomain, { allow_direct: true });
}

/** An edge's mirror of the cloud's CAIRN_CHUNKS: a chunk reaches the edge once, whatever shares it. */
export function chunksMirrorConfig(cloudDomain: string): Partial<StreamConfig> & { name: string } {
  return cloudMirrorConfig(Streams.chunks, cloudDomain, { allow_direct: true, max_msgs_per_subject: 1 });
}

/** What a site's controller reads artifacts from: its own JetStream's cairn_artifacts. */
export interface SiteArtifacts {
  /** A behaviour's bytes, checked against its digest; undefined when not there (yet). */
  readonly source: ArtifactSource;
  /** A delivered file's bytes as a stream; undefined when not there (yet). */
  readonly files: FileSource;
  /** The store itself (images are read as streams); undefined until it exists. */
  store(): Promise<ArtifactStore | undefined>;
}

/**
 * Opens what a site reads artifacts from: the cairn_artifacts store of its own JetStream (the
 * cloud's, created here if missing; or on an edge a mirror of it, created here if missing, also
 * while the cloud is unreachable).
 */
export async function openSiteArtifacts(js: JetStreamClient, jsm: JetStreamManager, opts: { readonly cloudDomain?: string } = {}): Promise<SiteArtifacts> {
  let opened: ArtifactStore | undefined;
  if (opts.cloudDomain !== undefined) {
    for (const config of [artifactsMirrorConfig(opts.cloudDomain), chunksMirrorConfig(opts.cloudDomain)]) await jsm.streams.info(config.name).catch(() => jsm.streams.add(config));
  } else {
    // The cloud makes its store at once: edges' mirrors find their origin from the start (a mirror
    // made before its origin exists waits for the server's next retry, seconds later).
    opened = await ArtifactStore.open(js, { create: true });
  }
  const store = async (): Promise<ArtifactStore | undefined> => (opened ??= await ArtifactStore.open(js).catch(() => undefined));
  return { store, source: async (sha256) => (await store())?.get(sha256), files: async (sha256, what) => (await store())?.getFile(sha256, what) };
}

/**
 * The application and this site's actors with each artifact reference replaced by the path of its
 * module, file or folder in the site's cache (fetched when missing), so that everything after runs them as local
 * files; a delivered image (`container.imageId`) is loaded by `images` first. Actors of other
 * sites keep their references: their code is not fetched here.
 */
export async function localizeArtifacts(
  app: Application,
  actors: readonly Actor[],
  cache: ArtifactCache,
  images?: (id: string, image: string) => Promise<unknown>,
  /** Where a `files` path of a revision stored without artifacts (AppStore directly, an older Cairn) resolves. */
  appDir: string = process.cwd(),
): Promise<{ readonly app: Application; readonly actors: readonly Actor[]; readonly files: ReadonlyMap<string, Readonly<Record<string, string>>> }> {
  // Delivered images first: loaded into this site's engine when it lacks them.
  for (const a of actors) if (a.container?.imageId !== undefined && images) await images(a.container.imageId, a.container.image ?? a.container.imageId);
  const paths = new Map<string, string>();
  const cached = async (ref: string): Promise<string | undefined> => {
    const digest = artifactDigest(ref);
    if (digest === undefined) return undefined; // malformed: the import reports it, naming the actor
    let path = paths.get(digest);
    if (path === undefined) paths.set(digest, (path = await cache.modulePath(digest)));
    return path;
  };
  // A behaviour's module, or a third-party module by path: delivered code.
  const local = async (a: Actor): Promise<Actor> => {
    if (a.module !== undefined && isArtifactRef(a.module)) {
      const path = await cached(a.module);
      return path === undefined ? a : ({ ...a, module: path } as Actor);
    }
    const module = a.behaviour?.module;
    if (module === undefined || !isArtifactRef(module)) return a;
    const path = await cached(module);
    return path === undefined ? a : ({ ...a, behaviour: { ...a.behaviour!, module: path } } as Actor);
  };
  // A delivered file is in the cache (fetched when missing); a path a revision holds (stored without
  // `cairn apply`) is this node's file, which must exist.
  const localFile = async (a: Actor, name: string, ref: string): Promise<string> => {
    const what = `files.${name} of actor "${a.id}"`;
    if (isArtifactRef(ref)) {
      const sha256 = artifactDigest(ref);
      if (sha256 === undefined) throw new CairnError(DeployCodes.ARTIFACT_CORRUPT, `${what} is "${ref}", not artifact:sha256:<64 hex>; apply the application again`, { details: { actor: a.id, file: name } });
      return cache.filePath(sha256, what);
    }
    const path = resolve(appDir, ref);
    if (!(await stat(path).catch(() => undefined))?.isFile()) {
      throw new CairnError(DeployCodes.APP_FILE_NOT_FOUND, `${what} is "${ref}", which resolves to ${path} on this node, and no file is there; apply the manifest with \`cairn apply\` (it delivers the file) or put the file there`, { details: { actor: a.id, file: name, path } });
    }
    return path;
  };
  // Each actor's files; a container sees them at the same paths.
  const files = new Map<string, Record<string, string>>();
  const withFiles = async (a: Actor): Promise<Actor> => {
    const entries = Object.entries(a.files ?? {});
    if (entries.length === 0) return a;
    const paths: Record<string, string> = {};
    for (const [name, ref] of entries) paths[name] = await localFile(a, name, ref);
    files.set(a.id, paths);
    if (a.mode !== 'container') return a;
    const binds = Object.values(paths).map((p) => `${p}:${p}:ro`);
    return { ...a, container: { ...a.container, binds: [...(a.container?.binds ?? []), ...binds] } } as Actor;
  };
  // A program's folder and a build context: unpacked from their archives in the cache. A delivered
  // context names its digest as the build's key (a changed context builds the image again).
  const localFolder = async (a: Actor, field: string, ref: string): Promise<string> => {
    const sha256 = artifactDigest(ref);
    if (sha256 === undefined) throw new CairnError(DeployCodes.ARTIFACT_CORRUPT, `${field} of actor "${a.id}" is "${ref}", not artifact:sha256:<64 hex>; apply the application again`, { details: { actor: a.id, field } });
    return cache.folderPath(sha256, `${field} of actor "${a.id}"`);
  };
  const withFolders = async (a: Actor): Promise<Actor> => {
    let out = a;
    const dir = a.program?.dir;
    if (dir !== undefined && isArtifactRef(dir)) out = { ...out, program: { ...a.program!, dir: await localFolder(a, 'program.dir', dir) } } as Actor;
    else if (dir !== undefined) {
      // A path a revision holds (stored without `cairn apply`): this node's folder, which must exist.
      const path = resolve(appDir, dir);
      if (!(await stat(path).catch(() => undefined))?.isDirectory()) {
        throw new CairnError(DeployCodes.APP_FILE_NOT_FOUND, `program.dir of actor "${a.id}" is "${dir}", which resolves to ${path} on this node, and no folder is there; apply the manifest with \`cairn apply\` (it delivers the folder) or put the folder there`, { details: { actor: a.id, field: 'program.dir', path } });
      }
    }
    const build = a.mode === 'container' ? a.container?.build : undefined;
    if (build !== undefined && isArtifactRef(build.context)) {
      const context = await localFolder(a, 'container.build.context', build.context);
      // The context and the Dockerfile in it: either changed builds anew.
      out = { ...out, container: { ...out.container!, build: { ...build, context, key: `${artifactDigest(build.context)!}:${build.dockerfile}` } } } as Actor;
    }
    return out;
  };
  const localActors: Actor[] = [];
  for (const a of actors) localActors.push(await withFolders(await withFiles(await local(a))));
  const byId = new Map(localActors.map((a) => [a.id, a]));
  return { app: { ...app, spec: { ...app.spec, actors: app.spec.actors.map((a) => byId.get(a.id) ?? a) } }, actors: localActors, files };
}

/**
 * How much of the artifacts `actors` run with this site's store holds (bytes of all whose index has
 * arrived); undefined when nothing is known yet.
 */
export async function fetchProgress(store: ArtifactStore | undefined, actors: readonly Actor[]): Promise<{ readonly bytes: number; readonly totalBytes: number } | undefined> {
  if (!store) return undefined;
  let bytes = 0;
  let totalBytes = 0;
  let known = false;
  const uses = artifactsOf(actors);
  if (uses.length === 0) return undefined;
  const present = await store.presentChunks();
  for (const use of uses) {
    const arrival = await store.arrival(use.kind, use.sha256, present);
    if (!arrival) continue;
    known = true;
    bytes += arrival.bytes;
    totalBytes += arrival.totalBytes;
  }
  return known ? { bytes, totalBytes } : undefined;
}
