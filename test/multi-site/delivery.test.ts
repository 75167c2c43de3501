// Application delivery across a leaf link, on real servers: code applied in the cloud reaches an
// edge through the edge's mirror of cairn_artifacts, also after the edge was offline, and an edge
// restarted while its link is down runs its apps from its cache.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nuid } from '@nats-io/transport-node';
import { hostRuntimeContainerSpec } from '../../kernel/runtimes/index.ts';
import { bundleJsGuest } from '../../kernel/runtimes/guest-bundle.ts';
import { testDocker } from '../helpers/docker.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../client/index.ts';
import { containerRuntime, createActorSystem, defaultRuntimes } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { startAppController } from '../../control-plane/index.ts';
import type { AppController } from '../../control-plane/index.ts';
import { startTopology } from '../helpers/topology.ts';
import type { Topology } from '../helpers/topology.ts';

interface Site {
  system: ActorSystem;
  controller: AppController;
}

const manifest = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: field }
spec:
  actors:
    - id: probe
      behaviour: { module: ./probe.ts }
      placement: { sites: [edge1] }
`;

const probe = (version: string): string => `import { defineActor } from 'cairn';
export default defineActor({ name: 'probe', receive: (msg) => (msg.type === 'version' ? '${version}' : undefined) });
`;

let topology: Topology;
let appDir: string;
let cacheRoot: string;
let client: CairnClient;
const sites = new Map<string, Site>();

async function startSite(site: string): Promise<Site> {
  const url = site === 'cloud' ? topology.cloud.url : topology.edges[site]!.url;
  const system = await createActorSystem({ runtimes: [...defaultRuntimes(), containerRuntime()], servers: url, site, node: `${site}-n1` });
  const controller = await startAppController({ system, artifactDir: join(cacheRoot, site), ...(site === 'cloud' ? {} : { cloudDomain: 'cloud' }) });
  const s = { system, controller };
  sites.set(site, s);
  return s;
}

async function stopSite(site: string): Promise<void> {
  const s = sites.get(site);
  await s?.controller.stop().catch(() => undefined);
  await s?.system.shutdown().catch(() => undefined);
  sites.delete(site);
}

async function apply(version: string): Promise<void> {
  await writeFile(join(appDir, 'probe.ts'), probe(version));
  const result = await client.apply(manifest, { source: 'field.yaml', appDir });
  expect(result.changed).toBe(true);
}

const versionOnEdge = (): Promise<unknown> =>
  sites
    .get('edge1')!
    .system.ref('probe')
    .ask({ type: 'version' }, { timeout: 2_000 })
    .catch(() => undefined);

beforeAll(async () => {
  appDir = await mkdtemp(join(tmpdir(), 'cairn-delivery-app-'));
  cacheRoot = await mkdtemp(join(tmpdir(), 'cairn-delivery-cache-'));
  topology = await startTopology(['edge1']);
  await startSite('cloud');
  await startSite('edge1');
  client = await CairnClient.connect({ servers: topology.cloud.url, site: 'cloud' });
}, 60_000);

afterAll(async () => {
  await client?.close();
  for (const site of [...sites.keys()]) await stopSite(site);
  await topology?.cleanup();
  for (const d of [appDir, cacheRoot]) if (d) await rm(d, { recursive: true, force: true });
});

describe('delivery to edges', () => {
  it('delivery - code applied in the cloud from a folder no node has runs on the edge', async () => {
    await apply('v1');
    await expect.poll(versionOnEdge, { timeout: 30_000 }).toBe('v1');
    // The cloud runs none of it: placement names edge1 only.
    expect(sites.get('cloud')!.system.ps().actors.map((a) => a.id)).not.toContain('probe');
  }, 60_000);

  it('delivery - an edge that was offline when new code was applied runs it once its link is back', async () => {
    topology.links.edge1!.freeze();
    await apply('v2');
    expect(await versionOnEdge()).toBe('v1');
    topology.links.edge1!.thaw({ reset: true });
    await expect.poll(versionOnEdge, { timeout: 45_000, interval: 250 }).toBe('v2');
  }, 90_000);

  it('delivery - an edge whose node restarts while its link is down runs its apps from its cache', async () => {
    topology.links.edge1!.freeze();
    try {
      await stopSite('edge1');
      await startSite('edge1');
      await expect.poll(versionOnEdge, { timeout: 30_000, interval: 250 }).toBe('v2');
    } finally {
      topology.links.edge1!.thaw({ reset: true });
    }
  }, 60_000);

  it('delivery - an image only the applying machine has reaches an edge through its mirrors and runs there', async () => {
    const docker = await testDocker();
    const tag = `cairn-edge-only-${nuid.next().toLowerCase()}:1`;
    execFileSync('docker', ['build', '-q', '-t', tag, '-'], { input: `FROM cairn-base:local\nLABEL cairn.test=${tag}\nENTRYPOINT ["${realpathSync(process.execPath)}"]\n`, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const guest = bundleJsGuest(fileURLToPath(new URL('../../examples/apply/greeter.ts', import.meta.url)), 'default');
      const binds = (hostRuntimeContainerSpec([]).binds ?? []).map((b) => JSON.stringify(b)).join(', ');
      const boxed = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: boxed-field }
spec:
  actors:
    - id: boxed-probe
      mode: container
      behaviour: { module: ${guest} }
      config: { greeting: moi }
      placement: { sites: [edge1] }
      container: { image: "${tag}", binds: [${binds}] }
`;
      // The edge's node is down; its server (and its mirrors) run on.
      await stopSite('edge1');
      const applied = await client.apply(boxed, { source: 'boxed.yaml', appDir });
      expect(applied.artifacts).toEqual([expect.objectContaining({ kind: 'image', uploaded: true })]);
      const id = (await docker.getImage(tag).inspect()).Id;
      await docker.getImage(tag).remove({ force: true });
      await startSite('edge1');
      await expect
        .poll(() => sites.get('edge1')!.system.ref('boxed-probe').ask({ type: 'greet' }, { timeout: 5_000 }).catch(() => undefined), { timeout: 60_000, interval: 500 })
        .toBe('moi, world');
      expect((await docker.getImage(tag).inspect()).Id).toBe(id);
    } finally {
      await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
    }
  }, 120_000);

  it('delivery - a Python program applied from a folder no node has reaches an edge through its mirrors and runs there', async () => {
    await mkdir(join(appDir, 'py'), { recursive: true });
    await copyFile(fileURLToPath(new URL('../../examples/python-actor/counter.py', import.meta.url)), join(appDir, 'py', 'counter.py'));
    const py = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: py-field }
spec:
  actors:
    - id: py-probe
      mode: process
      program: { command: [/usr/bin/python3, counter.py], dir: ./py }
      placement: { sites: [edge1] }
`;
    const applied = await client.apply(py, { source: 'py.yaml', appDir });
    expect(applied.artifacts).toEqual([expect.objectContaining({ kind: 'file', source: './py', uploaded: true })]);
    const edge = sites.get('edge1')!.system;
    await expect.poll(() => edge.ref('py-probe').ask({ type: 'get' }, { timeout: 2_000 }).catch(() => undefined), { timeout: 45_000, interval: 250 }).toBe(0);
    expect(sites.get('cloud')!.system.ps().actors.map((a) => a.id)).not.toContain('py-probe');
  }, 90_000);
});
