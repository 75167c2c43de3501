import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { applyManifest, deleteApp, getApp, readAppStatuses, rollbackApp, startAppController } from '../../control-plane/index.ts';
import type { AppController } from '../../control-plane/index.ts';
import { ManifestError } from '../../control-plane/index.ts';
import { Buckets, KvLayout } from '../../protocols/index.ts';
import { startTopology } from '../helpers/topology.ts';
import type { Topology } from '../helpers/topology.ts';
import { eventLog } from '../helpers/actors.ts';
import type { GreeterMsg } from './fixtures/greeter.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

function manifest(name: string, greeting: string, extra = ''): string {
  return `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: ${name} }
spec:
  supervisor: { intensity: 5, periodMs: 5000 }
  actors:
    - id: ${name}-greeter
      behaviour: { module: ./greeter.ts }
      config: { greeting: ${greeting} }
      placement: { sites: [edge1] }
      shutdownMs: 1000
${extra}`;
}

let topology: Topology;
let cloudSys: ActorSystem;
let edgeSys: ActorSystem;
let cloudCtl: AppController;
let edgeCtl: AppController;
let nc: NatsConnection;
let js: JetStreamClient;

beforeAll(async () => {
  topology = await startTopology(['edge1']);
  const { cloud, edges } = topology;
  cloudSys = await createActorSystem({ servers: cloud.url, site: 'cloud', node: 'cloud-n1', peers: [{ site: 'edge1', domain: 'edge1' }] });
  edgeSys = await createActorSystem({ servers: edges.edge1!.url, site: 'edge1', node: 'edge1-n1', peers: [{ site: 'cloud', domain: 'cloud' }] });
  cloudCtl = await startAppController({ system: cloudSys, appDir: FIXTURES });
  edgeCtl = await startAppController({ system: edgeSys, cloudDomain: 'cloud', appDir: FIXTURES });
  nc = await connect({ servers: cloud.url });
  js = jetstream(nc);
}, 60_000);

afterAll(async () => {
  await edgeCtl?.stop();
  await cloudCtl?.stop();
  await Promise.all([cloudSys?.shutdown(), edgeSys?.shutdown()].map((p) => p?.catch(() => undefined)));
  await nc?.close();
  await topology?.cleanup();
});

async function greet(sys: ActorSystem, id: string): Promise<string | undefined> {
  return sys.ref<GreeterMsg>(id).ask({ type: 'greet' }, { timeout: 2_000 }).catch(() => undefined);
}

async function lastSeq(): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info(KvLayout.stream(Buckets.apps))).state.last_seq;
}

describe('apply across sites', () => {
  it('apply - an app applied while the edge is cut off runs on the edge after the link returns', async () => {
    topology.links.edge1!.freeze();
    const applied = await applyManifest(js, manifest('hello', 'hello'), 'hello.yaml');
    expect(applied).toMatchObject({ name: 'hello', changed: true });
    // Identical again: no new revision.
    expect(await applyManifest(js, manifest('hello', 'hello'), 'hello.yaml')).toMatchObject({ revision: applied.revision, changed: false });
    await cloudCtl.whenIdle();
    expect(cloudCtl.apps().has('hello')).toBe(false); // placed on edge1 only
    // The cut is real: the edge's mirror has not got the revision, so the edge runs nothing yet.
    expect((await edgeSys.node.jsm.streams.info(KvLayout.stream(Buckets.apps))).state.last_seq).toBeLessThan(applied.revision);
    expect(edgeCtl.apps().has('hello')).toBe(false);

    topology.links.edge1!.thaw({ reset: true });
    await expect.poll(() => edgeCtl.apps().get('hello')?.state, { timeout: 60_000, interval: 200 }).toBe('running');
    expect(edgeCtl.apps().get('hello')?.revision).toBe(applied.revision);
    expect(await greet(edgeSys, 'hello-greeter')).toBe('hello');
    expect(edgeSys.ps().actors.map((a) => a.id)).toContain('hello-greeter');
    // The edge reports its status in its own domain, where `cairn get` reads it.
    await expect
      .poll(async () => (await readAppStatuses(jetstream(nc, { domain: 'edge1' }), 'edge1'))?.find((s) => s.app === 'hello'), { timeout: 10_000 })
      .toMatchObject({ site: 'edge1', state: 'running', revision: applied.revision, actors: ['hello-greeter'] });
  }, 120_000);

  it('apply - a new revision replaces what runs, and rollback brings the previous one back as a new revision', async () => {
    const v2 = await applyManifest(js, manifest('hello', 'bonjour'), 'hello.yaml');
    expect(v2.changed).toBe(true);
    await expect.poll(() => greet(edgeSys, 'hello-greeter'), { timeout: 30_000, interval: 200 }).toBe('bonjour');

    const back = await rollbackApp(js, 'hello');
    expect(back.changed).toBe(true);
    expect(back.revision).toBeGreaterThan(v2.revision);
    await expect.poll(() => greet(edgeSys, 'hello-greeter'), { timeout: 30_000, interval: 200 }).toBe('hello');

    const details = await getApp(js, 'hello');
    expect(details.revision).toBe(back.revision);
    expect(details.source).toBe(`rollback to revision ${back.from}`);
    expect(details.revisions.map((r) => r.type)).toEqual(['applied', 'applied', 'applied']);
  }, 90_000);

  it('apply - an invalid manifest is rejected whole with every problem, and the bucket does not change', async () => {
    const before = await lastSeq();
    const bad = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: hello }
spec:
  actors:
    - id: hello-greeter
      behaviour: { module: ./greeter.ts }
      mode: worker
      restart: sometimes
      replica: 2
      env: { PORT: 8080 }
`;
    const err = await applyManifest(js, bad, 'bad.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).errors.map((d) => d.path)).toEqual(['spec.actors[0].restart', 'spec.actors[0].replica', 'spec.actors[0].env.PORT']);
    expect(await lastSeq()).toBe(before);
    expect(await greet(edgeSys, 'hello-greeter')).toBe('hello');
  }, 30_000);

  it('apply - delete stops the app on every site', async () => {
    await deleteApp(js, 'hello');
    await expect.poll(() => edgeCtl.apps().has('hello'), { timeout: 30_000, interval: 200 }).toBe(false);
    expect(edgeSys.ps().actors.map((a) => a.id)).not.toContain('hello-greeter');
    await expect(getApp(js, 'hello')).rejects.toMatchObject({ code: 'CAIRN_APP_NOT_FOUND' });
  }, 60_000);

  it('apply - an app that exceeds its restart intensity is reported failed and stops alone: the node and other apps keep running', async () => {
    await applyManifest(js, manifest('steady', 'hej'), 'steady.yaml');
    await expect.poll(() => greet(edgeSys, 'steady-greeter'), { timeout: 30_000, interval: 200 }).toBe('hej');
    await applyManifest(js, `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: doomed }
spec:
  supervisor: { intensity: 2, periodMs: 60000 }
  actors:
    - { id: doomed-crasher, behaviour: { module: ./crasher.ts, export: Crasher }, placement: { sites: [edge1] } }
`, 'doomed.yaml');
    await expect.poll(() => edgeCtl.apps().get('doomed')?.state, { timeout: 30_000, interval: 200 }).toBe('running');
    // Each message crashes the actor; the third restart in the period exceeds the app's intensity.
    for (let i = 0; i < 4; i++) await edgeSys.ref<{ type: 'crash' }>('doomed-crasher').tell({ type: 'crash' });
    await expect.poll(() => edgeCtl.apps().get('doomed')?.state, { timeout: 30_000, interval: 200 }).toBe('failed');
    expect(edgeCtl.apps().get('doomed')?.error?.code).toBe('CAIRN_SUPERVISOR_INTENSITY_EXCEEDED');
    // The root supervisor did not give up: the node runs on, and so does the other app.
    expect(edgeSys.tree().status).toBe('running');
    expect(await greet(edgeSys, 'steady-greeter')).toBe('hej');

    // An app whose actor cannot start is reported with a stable code and the actor's error.
    await applyManifest(js, `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: stillborn }
spec:
  actors:
    - { id: stillborn-actor, behaviour: { module: ./crasher.ts, export: Unstartable }, placement: { sites: [edge1] } }
`, 'stillborn.yaml');
    await expect.poll(() => edgeCtl.apps().get('stillborn')?.state, { timeout: 30_000, interval: 200 }).toBe('failed');
    expect(edgeCtl.apps().get('stillborn')?.error).toMatchObject({ code: 'CAIRN_APP_START_FAILED', message: expect.stringContaining('unstartable refuses to start') });
    expect(edgeSys.tree().status).toBe('running');
    await deleteApp(js, 'stillborn');
    await deleteApp(js, 'doomed');
    await deleteApp(js, 'steady');
    await expect.poll(() => edgeCtl.apps().has('steady'), { timeout: 30_000, interval: 200 }).toBe(false);
  }, 60_000);

  it('apply - edge autonomy: with the link cut, the edge restarts a crashed actor and keeps handling local messages', async () => {
    const crashOnce = '      mailbox: { maxAttempts: 1 }\n';
    await applyManifest(js, manifest('sturdy', 'hi', crashOnce), 'sturdy.yaml');
    await expect.poll(() => edgeCtl.apps().get('sturdy')?.state, { timeout: 30_000, interval: 200 }).toBe('running');
    const ref = edgeSys.ref<GreeterMsg>('sturdy-greeter');

    topology.links.edge1!.freeze();
    try {
      const events = eventLog((l) => edgeSys.onEvent(l));
      await ref.tell({ type: 'crash' });
      await events.next((e) => e.type === 'crashed' && e.actor === 'sturdy-greeter', 15_000);
      await events.next((e) => e.type === 'started' && e.actor === 'sturdy-greeter' && e.restarts >= 1, 15_000);
      events.stop();
      for (let i = 0; i < 3; i++) await ref.tell({ type: 'inc' });
      await expect.poll(() => ref.ask({ type: 'count' }, { timeout: 2_000 }).catch(() => -1), { timeout: 15_000, interval: 100 }).toBe(3);
      expect(edgeCtl.apps().get('sturdy')?.state).toBe('running');
    } finally {
      topology.links.edge1!.thaw({ reset: true });
    }
  }, 90_000);
});
