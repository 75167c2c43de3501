import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { CairnError, DeployCodes } from '../../protocols/index.ts';
import type { Actor, Application } from '../manifest/index.ts';
import { imageIdHex } from './artifact-ref.ts';
import type { ArtifactStore } from './artifact-store.ts';

/** The Docker engine of this machine (DOCKER_HOST or the default socket), loaded only when an app has images. */
export async function localDocker(): Promise<Dockerode> {
  const { default: Docker } = await import('dockerode');
  return new Docker();
}

/** An image `cairn apply` delivers: one that exists only on the applying machine. */
export interface DeliveredImage {
  readonly image: string;
  /** `sha256:<hex>`, Docker's image id. */
  readonly id: string;
  readonly actors: readonly string[];
}

/**
 * The container actors' images to deliver, and the application with each one's `container.imageId`
 * set: an image this machine's engine has that came from no registry (no RepoDigests: built or
 * loaded here, never pulled or pushed). An image from a registry the sites pull themselves; one
 * this engine does not have is left to the sites (their engine, or a build).
 */
export async function packageImages(app: Application, docker: () => Promise<Dockerode>): Promise<{ readonly app: Application; readonly images: readonly DeliveredImage[] }> {
  const candidates = app.spec.actors.filter((a) => a.mode === 'container' && a.module === undefined && a.container?.image !== undefined && a.container.build === undefined && a.container.imageId === undefined);
  if (candidates.length === 0) return { app, images: [] };
  let engine: Dockerode;
  try {
    engine = await docker();
    await engine.ping();
  } catch {
    return { app, images: [] }; // no engine here: nothing of this machine to deliver
  }
  const images = new Map<string, DeliveredImage>();
  for (const a of candidates) {
    const image = a.container!.image!;
    const info = await engine
      .getImage(image)
      .inspect()
      .catch(() => undefined);
    if (!info || (info.RepoDigests ?? []).length > 0) continue;
    const have = images.get(image);
    images.set(image, { image, id: info.Id, actors: [...(have?.actors ?? []), a.id] });
  }
  const actors = app.spec.actors.map((a): Actor => {
    const d = a.container?.image === undefined ? undefined : images.get(a.container.image);
    return d && d.actors.includes(a.id) ? ({ ...a, container: { ...a.container!, imageId: d.id } } as Actor) : a;
  });
  return { app: { ...app, spec: { ...app.spec, actors } }, images: [...images.values()] };
}

/** Stores a delivered image (`docker save` of its id) unless the store holds it already. */
export async function storeImage(docker: Dockerode, store: ArtifactStore, image: DeliveredImage): Promise<{ readonly uploaded: boolean; readonly size: number; readonly sentBytes: number }> {
  const hex = imageIdHex(image.id)!;
  // Saved by its id (the tag may move meanwhile): the site tags it, and runs it by id.
  return store.putImage(hex, async () => (await docker.getImage(image.id).get()) as unknown as AsyncIterable<Uint8Array>, image.image);
}

/**
 * Makes sure this site's engine has the image `id`: nothing to do when it has it (the transfer is
 * skipped); else the image is read from the site's artifact store and loaded (`docker load`),
 * which restores its tags. CAIRN_ARTIFACT_UNAVAILABLE when the store does not have it (yet).
 */
export async function ensureImageLoaded(docker: Dockerode, store: ArtifactStore | undefined, id: string, image: string, log: Logger): Promise<'present' | 'loaded'> {
  const hex = imageIdHex(id);
  if (hex === undefined) throw new CairnError(DeployCodes.ARTIFACT_CORRUPT, `image id "${id}" of image ${image} is not sha256:<64 hex>`, { details: { id, image } });
  const present = await docker
    .getImage(id)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (present) {
    // Its name points at the pinned id here too (a rollback may pin an older image under the same tag).
    if (image !== id) await docker.getImage(id).tag(splitImageName(image));
    return 'present';
  }
  const stored = await store?.getImage(hex, image);
  if (!stored) {
    throw new CairnError(DeployCodes.ARTIFACT_UNAVAILABLE, `image ${image} (${id.slice(0, 19)}…) is not on this site's engine and not (yet) in the artifact store it reads; it is loaded once it arrives`, { details: { id, image } });
  }
  const started = Date.now();
  const progress = await docker.loadImage(Readable.fromWeb(stored as import('node:stream/web').ReadableStream<Uint8Array>), { quiet: true });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(progress, (err: Error | null, output: { error?: string }[]) => {
      const failed = output?.find((o) => o.error);
      if (err || failed) reject(new CairnError(DeployCodes.ARTIFACT_CORRUPT, `loading image ${image} from the artifact store failed: ${err?.message ?? failed?.error}`, { details: { id, image } }));
      else resolve();
    }),
  );
  await docker
    .getImage(id)
    .inspect()
    .catch((cause: unknown) => {
      throw new CairnError(DeployCodes.ARTIFACT_CORRUPT, `image ${image} was loaded but the engine has no image ${id}: the stored tar is not that image`, { cause, details: { id, image } });
    });
  // The name the actor's container is created with points at this id (the tar's own tag may not).
  if (image !== id) await docker.getImage(id).tag(splitImageName(image));
  log.info({ image, id, ms: Date.now() - started }, 'loaded a delivered container image');
  return 'loaded';
}

/** `registry:5000/team/app:1.2` → repo `registry:5000/team/app`, tag `1.2` (no tag: `latest`). Pure. */
export function splitImageName(image: string): { readonly repo: string; readonly tag: string } {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? { repo: image.slice(0, at), tag: image.slice(at + 1) } : { repo: image, tag: 'latest' };
}
