// createActorSystem({ modules }): a site knows modules by name, so a manifest can name one that is
// defined in code rather than a file or package; CairnClient.apply checks it with the same list.
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CairnClient } from '../../client/index.ts';
import { ManifestError, startAppController } from '../../control-plane/index.ts';
import type { AppController } from '../../control-plane/index.ts';
import { defineActor, defineModule, moduleStreamName } from '../../kernel/index.ts';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ModuleDefinition } from '../../kernel/index.ts';
import { KernelCodes, ManifestDiagnosticCodes } from '../../protocols/index.ts';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { startTestServer } from '../helpers/nats.ts';
import type { TestServer } from '../helpers/nats.ts';

const Config = Type.Object({ factor: Type.Number({ default: 10 }) }, { additionalProperties: false });
const Scaler = defineModule({
  name: 'acme/scaler',
  description: 'multiplies values by a factor',
  config: Config,
  behaviour: defineActor<{ type: 'scale'; value: number }, undefined, { factor: number }>({ name: 'scaler', receive: (msg, ctx) => msg.value * ctx.config.factor }),
}) as unknown as ModuleDefinition;

/** A module whose actors hear the subject their config names (the module declares the route). */
type Heard = { type: 'routed'; subject: string; data: Uint8Array } | { type: 'heard' };
const Ear = defineModule({
  name: 'acme/ear',
  description: 'keeps what arrives on a subject',
  config: Type.Object({ subject: Type.String() }, { additionalProperties: false }),
  behaviour: defineActor<Heard, string[]>({
    name: 'ear',
    initialState: [],
    receive: (msg, ctx) => (msg.type === 'routed' ? ctx.setState([...ctx.state, new TextDecoder().decode(msg.data)]) : ctx.state),
  }),
  routes: (c) => [{ subject: c.subject }],
}) as unknown as ModuleDefinition;

/** A module that needs one bounded stream per peer its config names. */
const Buffer = defineModule({
  name: 'acme/buffer',
  description: 'buffers what goes to each peer',
  config: Type.Object({ peers: Type.Array(Type.String()) }, { additionalProperties: false }),
  behaviour: defineActor({ name: 'buffer', receive: () => undefined }),
  streams: (c) => c.peers.map((peer) => ({ name: peer, subjects: [`outbound.${peer}.>`], maxMsgs: 1_000 })),
}) as unknown as ModuleDefinition;

const manifest = (config: string): string => `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: scaling }
spec:
  actors:
    - { id: scaler, module: acme/scaler, config: ${config} }
`;

let server: TestServer;
let system: ActorSystem;
let controller: AppController;
let client: CairnClient;

beforeAll(async () => {
  server = await startTestServer();
  system = await createActorSystem({ servers: server.url, site: 'modsite', node: 'n1', modules: [Scaler, Ear, Buffer] });
  controller = await startAppController({ system });
  client = await CairnClient.connect({ servers: server.url, site: 'modsite' });
}, 30_000);
afterAll(async () => {
  await client?.close();
  await controller?.stop();
  await system?.shutdown();
  await server?.cleanup();
});

describe('system modules', () => {
  it('modules - a manifest names a module the site was given in code; it runs with its config defaults filled', async () => {
    expect([...system.modules.keys()]).toEqual(['acme/scaler', 'acme/ear', 'acme/buffer']);
    await client.apply(manifest('{}'), { modules: [Scaler] });
    await expect.poll(() => client.ask('scaler', { type: 'scale', value: 4 }, { timeout: 2_000 }).catch(() => undefined), { timeout: 20_000 }).toBe(40);
  });

  it('modules - apply checks the config against the module’s schema, with its path, when it is given the module', async () => {
    const err = (await client.apply(manifest('{ factor: lots }'), { modules: [Scaler] }).catch((e: unknown) => e)) as ManifestError;
    expect(err).toBeInstanceOf(ManifestError);
    expect(err.errors.map((d) => d.path)).toEqual(['spec.actors[0].config.factor']);
  });

  it('modules - without the module, apply tries to import the name and says it could not', async () => {
    const err = (await client.apply(manifest('{}')).catch((e: unknown) => e)) as ManifestError;
    expect(err.errors.map((d) => d.code)).toEqual([ManifestDiagnosticCodes.MODULE_NOT_LOADED]);
  });

  it('modules - a route the module declares from its config captures the subject and delivers to its actor', async () => {
    await client.apply(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: hearing }
spec:
  actors:
    - { id: ear, module: acme/ear, config: { subject: plant.line1.temp } }
`, { modules: [Ear] });
    const heard = (): Promise<string[] | undefined> => client.ask<string[]>('ear', { type: 'heard' }, { timeout: 2_000 }).catch(() => undefined);
    // Running is reported once the routes are captured too.
    await expect.poll(async () => (await client.appStatus('hearing')).find((s) => s.site === 'modsite')?.status?.state, { timeout: 20_000 }).toBe('running');
    expect(await heard()).toEqual([]);
    client.nc.publish('plant.line1.temp', new TextEncoder().encode('21.5'));
    await expect.poll(heard, { timeout: 20_000 }).toEqual(['21.5']);
    // A config whose route cannot be captured is refused at apply, at the actor's config.
    const err = (await client.apply(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: deaf }
spec:
  actors:
    - { id: deaf, module: acme/ear, config: { subject: cairn.mb.x } }
`, { modules: [Ear] }).catch((e: unknown) => e)) as ManifestError;
    expect(err.errors.map((d) => [d.path, d.code])).toEqual([['spec.actors[0].config', ManifestDiagnosticCodes.BAD_ROUTE_SOURCE]]);
  });

  it('modules - the streams a module declares exist before its actor runs, follow its config, and go with the app', async () => {
    const jsm = await jetstreamManager(client.nc);
    const moduleStreams = async (): Promise<string[]> => {
      const names: string[] = [];
      for await (const info of jsm.streams.list()) if (info.config.name.startsWith('CAIRN_MS_')) names.push(`${info.config.name}:${info.config.max_msgs}`);
      return names.sort();
    };
    const app = (peers: string): string => `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: buffering }
spec:
  actors:
    - { id: buf, module: acme/buffer, config: { peers: [${peers}] } }
`;
    await client.apply(app('north, south'), { modules: [Buffer] });
    await expect.poll(async () => (await client.appStatus('buffering')).find((s) => s.site === 'modsite')?.status?.state, { timeout: 20_000 }).toBe('running');
    expect(await moduleStreams()).toEqual([`${moduleStreamName('modsite', 'buf', 'north')}:1000`, `${moduleStreamName('modsite', 'buf', 'south')}:1000`]);
    // What is published on a declared subject is kept there for the actor to read.
    await jetstream(client.nc).publish('outbound.north.cmd', new TextEncoder().encode('x'));
    expect((await jsm.streams.info(moduleStreamName('modsite', 'buf', 'north'))).state.messages).toBe(1);
    // A new revision without south: its stream is removed, north's kept with its messages.
    await client.apply(app('north'), { modules: [Buffer] });
    await expect.poll(moduleStreams, { timeout: 20_000 }).toEqual([`${moduleStreamName('modsite', 'buf', 'north')}:1000`]);
    expect((await jsm.streams.info(moduleStreamName('modsite', 'buf', 'north'))).state.messages).toBe(1);
    await client.deleteApp('buffering');
    await expect.poll(moduleStreams, { timeout: 20_000 }).toEqual([]);
  });

  it('modules - a name under cairn/, or one given twice, is refused before connecting', async () => {
    const named = (name: string): ModuleDefinition => ({ ...Scaler, name });
    const codeOf = (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (e: unknown) => (e as { code?: string }).code);
    expect(await codeOf(createActorSystem({ servers: 'nats://127.0.0.1:1', modules: [named('cairn/scaler')] }))).toBe(KernelCodes.INVALID_OPTION);
    expect(await codeOf(createActorSystem({ servers: 'nats://127.0.0.1:1', modules: [Scaler, Scaler] }))).toBe(KernelCodes.INVALID_OPTION);
  });
});
