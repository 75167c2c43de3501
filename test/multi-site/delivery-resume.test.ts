// A big file on a slow leaf link: it reaches the edge in chunks through the edge's mirror, and a link
// cut in the middle of the transfer resumes where it stopped instead of sending everything again.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { CairnClient } from '../../client/index.ts';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { startAppController } from '../../control-plane/index.ts';
import type { AppController } from '../../control-plane/index.ts';
import { Streams } from '../../protocols/index.ts';
import { startTopology } from '../helpers/topology.ts';
import type { Topology } from '../helpers/topology.ts';

const MB = 1024 * 1024;
const SIZE = 50 * MB;

let topology: Topology;
let dir: string;
let client: CairnClient;
let edgeNc: NatsConnection;
const systems: ActorSystem[] = [];
const controllers: AppController[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-resume-'));
  // About 5 s for the whole file: a cut can land before its end.
  topology = await startTopology(['edge1'], { linkBytesPerSecond: 10 * MB });
  for (const [site, url] of [['cloud', topology.cloud.url], ['edge1', topology.edges.edge1!.url]] as const) {
    const system = await createActorSystem({ servers: url, site, node: `${site}-n1` });
    systems.push(system);
    controllers.push(await startAppController({ system, artifactDir: join(dir, 'cache', site), ...(site === 'cloud' ? {} : { cloudDomain: 'cloud' }) }));
  }
  client = await CairnClient.connect({ servers: topology.cloud.url, site: 'cloud' });
  edgeNc = await connect({ servers: topology.edges.edge1!.url });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await edgeNc?.close();
  for (const c of controllers) await c.stop().catch(() => undefined);
  for (const s of systems) await s.shutdown().catch(() => undefined);
  await topology?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('delivery over a slow link', () => {
  it('delivery - a 50 MB file cut off after 40 MB resumes where it stopped, and the edge runs with it whole', async () => {
    await writeFile(join(dir, 'model.bin'), randomBytes(SIZE));
    await writeFile(
      join(dir, 'reader.ts'),
      "import { createHash } from 'node:crypto';\nimport { readFileSync } from 'node:fs';\nimport { defineActor } from 'cairn';\nexport default defineActor({ name: 'reader', receive: (msg, ctx) => (msg.type === 'digest' ? createHash('sha256').update(readFileSync(ctx.config.files.model)).digest('hex') : undefined) });\n",
    );
    const manifest = 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: far }\nspec:\n  actors:\n    - id: far-reader\n      behaviour: { module: ./reader.ts }\n      files: { model: ./model.bin }\n      placement: { sites: [edge1] }\n';
    const link = topology.links.edge1!;
    const start = link.forwardedBytes;
    await client.apply(manifest, { source: 'far.yaml', appDir: dir });

    const jsm = await jetstreamManager(edgeNc);
    const mirrored = async (): Promise<number> => (await jsm.streams.info(Streams.chunks).catch(() => undefined))?.state.bytes ?? 0;
    // Cut once most of it has arrived (more than a resume can cost, below), and before all of it has.
    await expect.poll(mirrored, { timeout: 30_000, interval: 50 }).toBeGreaterThan(40 * MB);
    link.freeze();
    const atCut = await mirrored();
    expect(atCut).toBeLessThan(SIZE);
    link.thaw({ reset: true });

    const want = createHash('sha256').update(await readFile(join(dir, 'model.bin'))).digest('hex');
    const edge = systems[1]!;
    await expect.poll(() => edge.ref('far-reader').ask({ type: 'digest' }, { timeout: 5_000 }).catch(() => undefined), { timeout: 90_000, interval: 500 }).toBe(want);
    const total = link.forwardedBytes - start;
    // Starting over would send again all that had arrived (more than 40 MiB). A resume sends again
    // only what was in flight: at most the server's flow-control window for a mirror (32 MiB), and
    // usually far less, but on a loaded machine a resumed consumer's window may cross the link
    // before the mirror drops it (seen once: 19.6 MiB more than the file).
    expect(total).toBeGreaterThan(SIZE);
    expect(total - SIZE).toBeLessThan(atCut);
    expect(await mirrored()).toBeLessThan(SIZE + 2 * MB);
  }, 150_000);
});
