import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';

/**
 * The local base image of JavaScript container actors: an empty filesystem (no registry is
 * reachable, so nothing can be pulled). The host's /usr, /lib, /lib64 and /bin are bind-mounted
 * read-only over it at run time (see jsContainerSpec), or it is the `FROM` of a built image.
 */
export const BASE_IMAGE = 'cairn-base:local';

/** An empty tar archive: two 512-byte zero blocks. */
function emptyTar(): Readable {
  return Readable.from([Buffer.alloc(1024)]);
}

/**
 * Makes `cairn-base:local` (or `image`) if it is missing, like `docker import empty.tar`.
 * Idempotent; resolves with true when it created the image.
 */
export async function ensureBaseImage(docker: Dockerode, image = BASE_IMAGE): Promise<boolean> {
  if (await imageExists(docker, image)) return false;
  const [repo, tag = 'latest'] = splitTag(image);
  const progress = await docker.importImage(emptyTar() as unknown as string, { repo, tag });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(progress, (err: Error | null, output: { error?: string }[]) => {
      const failed = err ?? output.find((o) => o.error);
      if (failed) reject(err ?? new Error((failed as { error: string }).error));
      else resolve();
    }),
  );
  return true;
}

export async function imageExists(docker: Dockerode, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** "repo:tag" → ["repo", "tag"]; a registry port ("host:5000/repo") is not a tag. */
export function splitTag(image: string): [string, string | undefined] {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? [image.slice(0, colon), image.slice(colon + 1)] : [image, undefined];
}
