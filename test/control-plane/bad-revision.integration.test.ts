// A revision no apply of this Cairn would store (written into the bucket by hand, or before a limit
// existed) must not crash a site: it is refused and reported, the other apps keep running, and a
// controller that starts again refuses it again (issue 10, item 2).
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_RECORD_VERSION, applyManifest, encodeAppRecord, parseManifestOrThrow, readAppStatuses, startAppController } from '../../control-plane/index.ts';
import type { AppController } from '../../control-plane/index.ts';
import { Buckets, DeployCodes } from '../../protocols/index.ts';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { startTestServer } from '../helpers/nats.ts';
import type { TestServer } from '../helpers/nats.ts';
import type { GreeterMsg } from './fixtures/greeter.ts';
import { ExitCodes, runCli } from '../../deploy/cli/index.ts';
import { captureIo } from '../deploy/cli/cli-harness.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const site = 'badrev';
const greeterApp = (name: string, replicas = 1): string => `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: ${name} }
spec:
  actors:
    - { id: ${name}-greeter, behaviour: { module: ./greeter.ts }, replicas: ${replicas}, config: { greeting: hi } }
`;

let server: TestServer;
let system: ActorSystem;

beforeAll(async () => {
  server = await startTestServer();
  system = await createActorSystem({ servers: server.url, site, node: 'n1' });
}, 30_000);
afterAll(async () => {
  await system?.shutdown();
  await server?.cleanup();
});

describe('a bad revision in the bucket', () => {
  it('bad revision - an application asking for more instances than the site takes fails there, nothing of it made', async () => {
    const js = jetstream(system.node.nc);
    await applyManifest(js, greeterApp('many', 6), 'many.yaml');
    await expect(startAppController({ system, appDir: FIXTURES, maxInstancesPerApp: 0 })).rejects.toMatchObject({ code: 'CAIRN_INVALID_OPTION' });
    const controller = await startAppController({ system, appDir: FIXTURES, maxInstancesPerApp: 5 });
    try {
      await expect
        .poll(async () => (await readAppStatuses(js, site))?.find((s) => s.app === 'many'), { timeout: 20_000 })
        .toMatchObject({ state: 'failed', error: { code: DeployCodes.APP_TOO_MANY_INSTANCES } });
      expect(system.node.ps().actors.filter((a) => a.id.startsWith('many'))).toEqual([]);
      // `cairn get` shows the failure and says so in its exit code, for scripts and CI.
      const io = captureIo({});
      expect(await runCli(['get', 'many', '--server', server.url, '--site', site], io)).toBe(ExitCodes.error);
      expect(io.stdout.join('\n')).toMatch(/badrev\s+failed/);
      expect(await runCli(['get', 'many', '--server', server.url, '--site', site, '-o', 'json'], captureIo({}))).toBe(ExitCodes.error);
    } finally {
      await controller.stop();
      await (await new Kvm(js).open(Buckets.apps)).delete('many');
    }
  }, 30_000);

  it('bad revision - a billion replicas written by hand are refused and reported; the other app runs, also after the controller starts again', async () => {
    const js = jetstream(system.node.nc);
    await applyManifest(js, greeterApp('good'), 'good.yaml');
    // What `cairn apply` refuses now (replicas over ManifestLimits.replicas), stored directly.
    const app = parseManifestOrThrow(greeterApp('huge')).app;
    const huge = { ...app, spec: { ...app.spec, actors: app.spec.actors.map((a) => ({ ...a, replicas: 1_000_000_000 })) } };
    const kv = await new Kvm(js).open(Buckets.apps);
    await kv.put('huge', encodeAppRecord({ v: APP_RECORD_VERSION, app: huge, appliedAt: Date.now(), source: 'by hand' }));

    for (let run = 1; run <= 2; run++) {
      const controller: AppController = await startAppController({ system, appDir: FIXTURES });
      try {
        await expect.poll(() => system.ref<GreeterMsg>('good-greeter').ask({ type: 'greet' }, { timeout: 1_000 }).catch(() => undefined), { timeout: 20_000 }).toBe('hi');
        await expect
          .poll(async () => (await readAppStatuses(js, site))?.find((s) => s.app === 'huge'), { timeout: 20_000 })
          .toMatchObject({ state: 'failed', error: { code: DeployCodes.APP_RECORD_INVALID } });
        const status = (await readAppStatuses(js, site))!.find((s) => s.app === 'huge')!;
        expect(status.error!.message).toContain('spec.actors[0].replicas');
        // Nothing of it was made, and the node still answers.
        expect(system.node.ps().actors.filter((a) => a.id.startsWith('huge'))).toEqual([]);
        expect(system.node.ps().actors.map((a) => a.id)).toContain('good-greeter');
      } finally {
        await controller.stop();
      }
    }
  }, 60_000);
});
