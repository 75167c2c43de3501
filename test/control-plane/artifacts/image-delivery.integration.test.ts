// Container images without a registry: an image that exists only on the applying machine travels
// with `apply` (docker save into cairn_artifacts), and a site whose engine lacks it loads it
// (docker load) before creating the container; a site that has the image by id skips the transfer.
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
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
import { testDocker } from '../../helpers/docker.ts';

const site = 'images';
const GREETER = fileURLToPath(new URL('../../../examples/apply/greeter.ts', import.meta.url));
// A tag, and an image id, that nothing else on this engine has.
const unique = nuid.next().toLowerCase();
const TAG = `cairn-only-here-${unique}:1`;

let docker: Dockerode;
let server: TestServer;
let system: ActorSystem;
let controller: AppController | undefined;
let client: CairnClient;
let cacheDir: string;

beforeAll(async () => {
  docker = await testDocker();
  // The image's entry point is the host's node (its folders are bound in, as for every JS guest).
  execFileSync('docker', ['build', '-q', '-t', TAG, '-'], { input: `FROM cairn-base:local\nLABEL cairn.test=${unique}\nENTRYPOINT ["${realpathSync(process.execPath)}"]\n` });
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
  await docker?.getImage(TAG).remove({ force: true }).catch(() => undefined);
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
});
