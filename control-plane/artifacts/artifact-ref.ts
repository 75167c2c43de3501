import { isAbsolute } from 'node:path';
import type { Actor } from '../manifest/index.ts';

/**
 * How a stored revision names code that `cairn apply` delivered: `artifact:sha256:<64 hex>`, in
 * place of the applying machine's path. The digest is of the artifact's bytes (the bundled
 * JavaScript), so equal code is one artifact and a changed file is a new one.
 */
export const ARTIFACT_SCHEME = 'artifact:';

const REF = /^artifact:sha256:([0-9a-f]{64})$/;

/** The reference for a SHA-256 digest in hex. */
export function artifactRef(sha256Hex: string): string {
  return `${ARTIFACT_SCHEME}sha256:${sha256Hex}`;
}

/** The SHA-256 hex digest a reference names; undefined when `module` is not an artifact reference. */
export function artifactDigest(module: string): string | undefined {
  return REF.exec(module)?.[1];
}

/** Whether `module` starts like an artifact reference (a malformed one is still one, and refused). */
export function isArtifactRef(module: string): boolean {
  return module.startsWith(ARTIFACT_SCHEME);
}

/** The name an artifact is stored under in the object store: `sha256-<hex>`. */
export function artifactObjectName(sha256Hex: string): string {
  return `sha256-${sha256Hex}`;
}

/** Whether a behaviour.module names a local file (delivered as an artifact) rather than a package. */
export function isLocalModulePath(module: string): boolean {
  return module.startsWith('./') || module.startsWith('../') || module === '.' || module === '..' || module.startsWith('file:') || isAbsolute(module);
}

/** The name a container image is stored under: `image-sha256-<hex of its id>`. */
export function imageObjectName(idHex: string): string {
  return `image-sha256-${idHex}`;
}

/** The name a delivered file's chunk index is stored under: `file-sha256-<hex of its bytes>`. */
export function fileObjectName(sha256Hex: string): string {
  return `file-sha256-${sha256Hex}`;
}

const IMAGE_ID = /^sha256:([0-9a-f]{64})$/;

/** The hex of an image id (`sha256:<hex>`, as Docker writes it); undefined for anything else. */
export function imageIdHex(id: string): string | undefined {
  return IMAGE_ID.exec(id)?.[1];
}

/** One artifact an actor runs with: its behaviour (or third-party module's code), a file (or a folder's archive), a delivered image. */
export interface ArtifactUse {
  readonly kind: 'behaviour' | 'file' | 'image';
  readonly sha256: string;
}

/** The artifacts `actors` run with, each once. Pure. */
export function artifactsOf(actors: readonly Actor[]): ArtifactUse[] {
  const out = new Map<string, ArtifactUse>();
  const add = (kind: ArtifactUse['kind'], sha256: string | undefined): void => {
    if (sha256 !== undefined) out.set(`${kind}:${sha256}`, { kind, sha256 });
  };
  for (const a of actors) {
    if (a.behaviour) add('behaviour', artifactDigest(a.behaviour.module));
    if (a.module !== undefined) add('behaviour', artifactDigest(a.module));
    for (const ref of Object.values(a.files ?? {})) add('file', artifactDigest(ref));
    // A program's folder and a build context travel as one archive each, stored as a file.
    if (a.program?.dir !== undefined) add('file', artifactDigest(a.program.dir));
    if (a.container?.build?.context !== undefined) add('file', artifactDigest(a.container.build.context));
    const image = a.container?.imageId;
    if (image !== undefined) add('image', imageIdHex(image));
  }
  return [...out.values()];
}
