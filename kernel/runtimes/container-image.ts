import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { CairnError, KernelCodes } from '../../protocols/index.ts';
import { imageExists } from './container-base-image.ts';

/** What an image needs: a tag, and optionally how to build it. */
export interface ImageSource {
  readonly image: string;
  readonly build?: { readonly context: string; readonly dockerfile?: string; readonly key?: string };
}

/** The label a built image carries with its build's `key` (the content it was built from). */
export const BUILD_KEY_LABEL = 'cairn.build.key';

/** The last build queued per tag, so actors starting together build an image once. */
const building = new Map<string, Promise<void>>();

/**
 * Makes sure `source.image` exists locally: builds it from `build.context` when the tag is missing,
 * or was built from another `build.key` (build output goes to `log`), or fails with
 * CAIRN_GUEST_START_FAILED naming the image and how to make it (nothing is pulled: there is no
 * registry). Builds of one tag run one after the other, each checking first whether the one
 * before it made what it needs. `repoDir` resolves a relative context.
 */
export async function ensureImage(docker: Dockerode, source: ImageSource, log: Logger, repoDir: string): Promise<void> {
  if (await isCurrent(docker, source)) return;
  const build = source.build;
  if (!build) {
    throw new CairnError(
      KernelCodes.GUEST_START_FAILED,
      `container image "${source.image}" does not exist on this Docker engine and cannot be pulled (no registry); build it (\`docker build -t ${source.image} <dir>\`), add \`build: { context: <dir> }\` to the runtime spec, or use ${'`cairn-base:local`'} made by .ci/docker-setup.sh`,
      { details: { image: source.image } },
    );
  }
  const before = building.get(source.image) ?? Promise.resolve();
  const mine = before
    .catch(() => undefined)
    .then(async () => {
      if (!(await isCurrent(docker, source))) await buildImage(docker, source.image, build, log, repoDir);
    });
  building.set(source.image, mine);
  try {
    await mine;
  } finally {
    if (building.get(source.image) === mine) building.delete(source.image);
  }
}

/** Whether the tag exists and, when the source has a build key, was built from that key. */
async function isCurrent(docker: Dockerode, source: ImageSource): Promise<boolean> {
  if (!(await imageExists(docker, source.image))) return false;
  const key = source.build?.key;
  if (key === undefined) return true;
  const labels = (await docker.getImage(source.image).inspect().catch(() => undefined))?.Config?.Labels ?? {};
  return labels[BUILD_KEY_LABEL] === key;
}

async function buildImage(docker: Dockerode, image: string, build: NonNullable<ImageSource['build']>, log: Logger, repoDir: string): Promise<void> {
  const context = resolve(repoDir, build.context);
  const fail = (why: string, cause?: unknown): CairnError =>
    new CairnError(KernelCodes.GUEST_START_FAILED, `building container image "${image}" from ${context} failed: ${why}`, { details: { image, context }, ...(cause ? { cause } : {}) });
  const isDir = await stat(context).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw fail('the build context is not a directory; set build.context to the folder holding the Dockerfile');
  const started = Date.now();
  log.info({ image, context }, 'building container image');
  let progress: NodeJS.ReadableStream;
  try {
    progress = await docker.buildImage({ context, src: await readdir(context) }, { t: image, ...(build.dockerfile ? { dockerfile: build.dockerfile } : {}), labels: { 'cairn.managed': 'true', ...(build.key ? { [BUILD_KEY_LABEL]: build.key } : {}) } });
  } catch (cause) {
    throw fail((cause as Error).message, cause);
  }
  await new Promise<void>((done, reject) =>
    docker.modem.followProgress(
      progress,
      (err: Error | null, output: { error?: string }[]) => {
        const failed = output.find((o) => o.error);
        if (err) reject(fail(err.message, err));
        else if (failed) reject(fail(failed.error!.trim()));
        else done();
      },
      (event: { stream?: string; status?: string }) => {
        const line = (event.stream ?? event.status ?? '').trim();
        if (line) log.info({ image }, line);
      },
    ),
  );
  log.info({ image, ms: Date.now() - started }, 'built container image');
}
