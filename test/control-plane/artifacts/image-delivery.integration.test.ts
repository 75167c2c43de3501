// Container images without a registry: an image that exists only on the applying machine travels
// with `apply` (docker save into cairn_artifacts), and a site whose engine lacks it loads it
// (docker load) before creating the container; a site that has the image by id skips the transfer.
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nuid } from '@nats-io/transport-node';
import { CairnClient } from '../../../client/index.ts';
import { containerRuntime, createActorSystem, defaultRuntimes } from '../../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../../supervisor-trees/index.ts';
import { ArtifactStore, startAppController } from '../../../control-plane/index.ts';
import type { AppController } from '../../../control-plane/index.ts';
import { hostRuntimeContainerSpec } from '../../../kernel/runtimes/index.ts';
import { bundleJsGuest } from '../../../kernel/runtimes/guest-bundle.ts';
import { startTestServer } from '../../helpers/nats.ts';
import type { TestServer } from '../../helpers/nats.ts';
import { Streams } from '../../../protocols/index.ts';
import { testDocker } from '../../helpers/docker.ts';

const site = 'images';
const GREETER = fileURLToPath(new URL('../../../examples/apply/greeter.ts', import.meta.url));
// A tag, and an image id, that nothing else on this engine has.
const unique = nuid.next().toLowerCase();
const TAG = `cairn-only-here-${unique}:1`;
const LAYERED = `cairn-layers-${unique}`;

/** `docker build -q …` with the CLI's notices (the legacy builder's deprecation) kept out of the test output. */
function dockerBuild(args: readonly string[], input?: string): void {
  execFileSync('docker', ['build', '-q', ...args], { ...(input === undefined ? {} : { input }), stdio: ['pipe', 'pipe', 'pipe'] });
}

let docker: Dockerode;
let server: TestServer;
let system: ActorSystem;
let controller: AppController | undefined;
let client: CairnClient;
let cacheDir: string;

beforeAll(async () => {
  docker = await testDocker();
  // The image's entry point is the host's node (its folders are bound in, as for every JS guest).
  dockerBuild(['-t', TAG, '-'], `FROM cairn-base:local\nLABEL cairn.test=${unique}\nENTRYPOINT ["${realpathSync(process.execPath)}"]\n`);
  cacheDir = await mkdtemp(join(tmpdir(), 'cairn-image-cache-'));
  server = await startTestServer();
  system = await createActorSystem({ runtimes: [...defaultRuntimes(), containerRuntime()], servers: server.url, site, node: 'n1' });
  client = await CairnClient.connect({ servers: server.url, site });
}, 60_000);
afterAll(async () => {
  await client?.close();
  await controller?.stop();
  await system?.shutdown();
  await server?.cleanup();
  for (const tag of [TAG, `${LAYERED}:1`, `${LAYERED}:2`]) await docker?.getImage(tag).remove({ force: true }).catch(() => undefined);
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

function manifest(): string {
  const guest = bundleJsGuest(GREETER, 'default');
  const binds = hostRuntimeContainerSpec([]).binds ?? [];
  return `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: boxed }
spec:
  actors:
    - id: boxed-greeter
      mode: container
      behaviour: { module: ${guest} }
      config: { greeting: hallo }
      container:
        image: ${TAG}
        binds: [${binds.map((b) => JSON.stringify(b)).join(', ')}]
`;
}

const greet = (): Promise<unknown> => system.ref('boxed-greeter').ask({ type: 'greet' }, { timeout: 20_000 }).catch(() => undefined);

describe('container images without a registry', () => {
  it('images - an image only this machine has is delivered: removed from the engine, the site loads it and the actor runs', async () => {
    const id = (await docker.getImage(TAG).inspect()).Id;
    const applied = await client.apply(manifest(), { source: 'boxed.yaml' });
    expect(applied.artifacts).toEqual([expect.objectContaining({ kind: 'image', sha256: id.replace('sha256:', ''), source: TAG, actors: ['boxed-greeter'], uploaded: true })]);
    expect((await client.getApp('boxed')).app.spec.actors[0]!.container?.imageId).toBe(id);
    await docker.getImage(TAG).remove({ force: true });
    await expect(docker.getImage(id).inspect()).rejects.toThrow();
    // The site starts now: its engine lacks the image.
    controller = await startAppController({ system, artifactDir: cacheDir });
    await expect.poll(greet, { timeout: 60_000, interval: 500 }).toBe('hallo, world');
    expect((await docker.getImage(TAG).inspect()).Id).toBe(id);
  }, 120_000);

  it('images - a site whose engine has the image by id skips the transfer; applying it again uploads nothing', async () => {
    const again = await client.apply(manifest(), { source: 'boxed.yaml' });
    expect(again.artifacts?.map((a) => [a.kind, a.uploaded])).toEqual([['image', false]]);
    // Gone from the store: a site that needed the transfer could not start it now.
    const store = await ArtifactStore.open(jetstream(client.nc));
    await store.delete({ kind: 'image', sha256: again.artifacts![0]!.sha256 });
    await controller!.stop();
    controller = await startAppController({ system, artifactDir: cacheDir });
    await expect.poll(greet, { timeout: 60_000, interval: 500 }).toBe('hallo, world');
  }, 120_000);

  it('images - a new version whose top layer changed sends about that layer: its other chunks are stored already', async () => {
    const ctx = await mkdtemp(join(tmpdir(), 'cairn-layers-'));
    try {
      const build = async (version: number, top: Buffer): Promise<string> => {
        await writeFile(join(ctx, 'top.bin'), top);
        dockerBuild(['-t', `${LAYERED}:${version}`, ctx]);
        return `${LAYERED}:${version}`;
      };
      await writeFile(join(ctx, 'base.bin'), randomBytes(6 * 1024 * 1024));
      await writeFile(join(ctx, 'Dockerfile'), `FROM cairn-base:local\nLABEL cairn.test=${unique}\nCOPY base.bin /base.bin\nCOPY top.bin /top.bin\nENTRYPOINT ["${realpathSync(process.execPath)}"]\n`);
      const app = (image: string): string => manifest().replace('name: boxed', 'name: layered').replace('id: boxed-greeter', 'id: layered-greeter').replace(`image: ${TAG}`, `image: ${image}`);
      const jsm = await jetstreamManager(client.nc);
      const storedBytes = async (): Promise<number> => (await jsm.streams.info(Streams.chunks)).state.bytes;

      const first = await client.apply(app(await build(1, randomBytes(1024 * 1024))), { source: 'layered.yaml' });
      const v1 = first.artifacts!.find((a) => a.kind === 'image')!;
      expect(v1.size).toBeGreaterThan(7 * 1024 * 1024);
      expect(v1.sentBytes).toBeGreaterThan(7 * 1024 * 1024);

      const before = await storedBytes();
      const second = await client.apply(app(await build(2, randomBytes(1024 * 1024))), { source: 'layered.yaml' });
      const v2 = second.artifacts!.find((a) => a.kind === 'image')!;
      expect(v2.uploaded).toBe(true);
      expect(v2.size).toBeGreaterThan(7 * 1024 * 1024);
      // The 1 MiB top layer, plus the chunks around the tar's changed headers and manifest.
      expect(v2.sentBytes).toBeLessThan(1.6 * 1024 * 1024);
      const grew = (await storedBytes()) - before;
      expect(grew).toBeGreaterThan(1024 * 1024);
      expect(grew).toBeLessThan(1.7 * 1024 * 1024);
    } finally {
      await rm(ctx, { recursive: true, force: true });
    }
  }, 120_000);
});
