// CairnClient against a real site: a nats-server, a node with its app controller, and the client
// connecting from outside as the CLI, a dashboard or a test would.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { CairnClient } from '../../client/index.ts';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import { defineActor } from '../../kernel/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { ManifestError, startAppController } from '../../control-plane/index.ts';
import type { AppController } from '../../control-plane/index.ts';
import { Buckets, DeployCodes, KernelCodes, ManifestCodes, encodeValue, isCairnError } from '../../protocols/index.ts';
import type { CairnError } from '../../protocols/index.ts';
import { freePort } from '../../deploy/nats-server/index.ts';
import { startTestServer } from '../helpers/nats.ts';
import type { TestServer } from '../helpers/nats.ts';

const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/apply/', import.meta.url));
const site = 'clientsite';

let server: TestServer;
let system: ActorSystem;
let controller: AppController;
let client: CairnClient;
let manifest: string;

beforeAll(async () => {
  server = await startTestServer();
  system = await createActorSystem({ servers: server.url, site, node: 'n1' });
  controller = await startAppController({ system, appDir: EXAMPLE_DIR });
  client = await CairnClient.connect({ servers: server.url, site });
  manifest = await readFile(join(EXAMPLE_DIR, 'hello-app.yaml'), 'utf8');
}, 30_000);
afterAll(async () => {
  await client?.close();
  await controller?.stop();
  await system?.shutdown();
  await server?.cleanup();
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (err: unknown) => (err as { code?: string }).code,
  );
}

describe('CairnClient', () => {
  it('client - lists the site and its node, and asks the node for its actors and trees', async () => {
    expect((await client.listNodes()).map((n) => `${n.site}/${n.id}:${n.state}`)).toEqual([`${site}/n1:up`]);
    expect(await client.listSites()).toEqual([expect.objectContaining({ site, nodes: 1, live: 1, online: true })]);
    await system.spawn(defineActor({ name: 'idle', receive: () => undefined }), { id: 'idle' });
    const actors = await client.listActors();
    expect(actors.results.map((a) => a.id)).toContain('idle');
    expect(actors.offline).toEqual([]);
    expect(actors.failures).toEqual([]);
    const trees = await client.listTrees();
    expect(trees.results.map((t) => t.node)).toEqual(['n1']);
  });

  it('client - told no site, takes the one whose node registry the server holds', async () => {
    const learned = await CairnClient.connect({ servers: server.url });
    try {
      expect(learned.site).toBe(site);
      expect((await learned.listNodes()).map((n) => n.id)).toEqual(['n1']);
    } finally {
      await learned.close();
    }
  });

  it('client - applies a manifest, reports each site’s state, and its actor answers tell and ask', async () => {
    const applied = await client.apply(manifest, { source: 'hello-app.yaml', appDir: EXAMPLE_DIR });
    expect(applied).toMatchObject({ name: 'hello', changed: true });
    expect((await client.apply(manifest, { source: 'hello-app.yaml', appDir: EXAMPLE_DIR })).changed).toBe(false);
    expect((await client.listApps()).map((a) => a.name)).toEqual(['hello']);
    await expect.poll(async () => (await client.appStatus('hello')).find((s) => s.site === site)?.status?.state, { timeout: 20_000 }).toBe('running');
    expect(await client.ask('greeter', { type: 'greet', name: 'Ada' }, { timeout: 5_000 })).toBe('hello, Ada');
    // edge1 is named by a placement and does not exist: it is reported unreachable, not an error.
    expect((await client.appStatus('hello')).find((s) => s.site === 'edge1')).toMatchObject({ reachable: false });
  });

  it('client - a message that fails every attempt is listed as a dead letter, replayed and purged', async () => {
    await expect.poll(async () => (await client.listActors()).results.some((a) => a.id === 'greeter' && a.status === 'running'), { timeout: 20_000 }).toBe(true);
    await client.tell('greeter', { type: 'crash' });
    let letters = await client.listDeadLetters({ actor: 'greeter' });
    await expect.poll(async () => (letters = await client.listDeadLetters({ actor: 'greeter' })).length, { timeout: 20_000 }).toBe(1);
    expect(letters[0]).toMatchObject({ actor: 'greeter', envelope: expect.objectContaining({ type: 'crash' }) });
    await client.replayDeadLetter(letters[0]!.seq);
    // Replayed, it crashes again (maxAttempts: 1) and comes back as a new dead letter.
    await expect.poll(async () => (await client.listDeadLetters({ actor: 'greeter' })).map((d) => d.seq), { timeout: 20_000 }).not.toEqual([letters[0]!.seq]);
    expect(await codeOf(client.replayDeadLetter(letters[0]!.seq))).toBe(DeployCodes.CLI_DEAD_LETTER_NOT_FOUND);
    expect(await client.purgeDeadLetters()).toBeGreaterThanOrEqual(1);
    expect(await client.listDeadLetters()).toEqual([]);
  });

  it('client - rolls back to the earlier revision and deletes the application', async () => {
    const second = await client.apply(manifest.replace('greeting: hello', 'greeting: hej'), { source: 'v2.yaml', appDir: EXAMPLE_DIR });
    await expect.poll(() => client.ask('greeter', { type: 'greet' }, { timeout: 2_000 }).catch(() => undefined), { timeout: 20_000 }).toBe('hej, world');
    const back = await client.rollbackApp('hello');
    expect(back.revision).toBeGreaterThan(second.revision);
    await expect.poll(() => client.ask('greeter', { type: 'greet' }, { timeout: 2_000 }).catch(() => undefined), { timeout: 20_000 }).toBe('hello, world');
    expect((await client.getApp('hello')).revisions.length).toBeGreaterThanOrEqual(3);
    await client.deleteApp('hello');
    expect(await codeOf(client.getApp('hello'))).toBe(DeployCodes.APP_NOT_FOUND);
    await expect.poll(async () => (await client.listActors()).results.some((a) => a.id === 'greeter'), { timeout: 20_000 }).toBe(false);
  });

  it('client - an invalid manifest is rejected whole with every problem, and nothing is stored', async () => {
    const err = await client.apply('apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: broken }\nspec:\n  actors:\n    - id: a\n      restart: sometimes\n      mode: thread\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).code).toBe(ManifestCodes.INVALID);
    expect((err as ManifestError).errors.map((d) => d.path)).toEqual(expect.arrayContaining(['spec.actors[0].restart', 'spec.actors[0].mode']));
    expect((await client.listApps()).map((a) => a.name)).not.toContain('broken');
  });

  it('client - reading applications where no bucket exists finds none and leaves no bucket behind', async () => {
    const bare = await startTestServer();
    const reader = await CairnClient.connect({ servers: bare.url, site: 'bare' });
    try {
      expect(await reader.listApps()).toEqual([]);
      expect(await codeOf(reader.getApp('hello'))).toBe(DeployCodes.APP_NOT_FOUND);
      expect(await codeOf(reader.deleteApp('hello'))).toBe(DeployCodes.APP_NOT_FOUND);
      expect(await codeOf(reader.rollbackApp('hello'))).toBe(DeployCodes.APP_NOT_FOUND);
      const streams: string[] = [];
      for await (const name of (await jetstreamManager(reader.nc)).streams.names()) streams.push(name);
      expect(streams).toEqual([]);
    } finally {
      await reader.close();
      await bare.cleanup();
    }
  });

  it('client - with every node of the site dead, asking the fleet fails naming the offline site and when it was last seen', async () => {
    const kv = await new Kvm(jetstream(client.nc)).create(Buckets.nodes('ghost'), { history: 1 });
    await kv.put('g1', encodeValue({ v: 1, id: 'g1', site: 'ghost', labels: {}, pid: 1, startedAt: Date.now() - 120_000, lastSeen: Date.now() - 60_000, heartbeatMs: 1_000 }));
    const ghost = await CairnClient.connect({ servers: server.url, site: 'ghost' });
    try {
      expect((await ghost.listNodes()).map((n) => `${n.id}:${n.state}`)).toEqual(['g1:dead']);
      const err = (await ghost.listActors().catch((e: unknown) => e)) as CairnError;
      expect(err.code).toBe(DeployCodes.CLI_NO_NODES);
      expect(err.message).toMatch(/offline: ghost \(last seen 6\d s ago\)/);
      expect(err.details).toMatchObject({ offline: [expect.objectContaining({ site: 'ghost', online: false })] });
    } finally {
      await ghost.close();
    }
  });

  it('client - an application larger than the server takes in one message is refused as such, and nothing is stored', async () => {
    // A server with a small max_payload: the manifest is within Cairn's 1 MiB, its record is not within the server's.
    const small = await startTestServer({ extra: { max_payload: 65_536 } });
    const c = await CairnClient.connect({ servers: small.url, site: 'small' });
    try {
      const big = manifest.replace('config: { greeting: hello }', `config: { greeting: hello, blob: ${'x'.repeat(100_000)} }`);
      const err = (await c.apply(big, { source: 'big.yaml', appDir: EXAMPLE_DIR }).catch((e: unknown) => e)) as CairnError;
      expect(err.code).toBe(DeployCodes.APP_TOO_LARGE);
      expect(err.message).toContain('max_payload');
      expect(await c.listApps()).toEqual([]);
    } finally {
      await c.close();
      await small.cleanup();
    }
  });

  it('client - bad names, unknown apps and a server that is not there fail with registered codes', async () => {
    expect(() => client.ref('not a name')).toThrow(expect.objectContaining({ code: KernelCodes.INVALID_ACTOR_ID }));
    expect(await codeOf(client.rollbackApp('never-applied'))).toBe(DeployCodes.APP_NOT_FOUND);
    const other = await CairnClient.connect({ servers: server.url, site: 'nobody-here' });
    try {
      expect(await codeOf(other.listNodes())).toBe(DeployCodes.CLI_NO_NODES);
      // It names the registries this server holds, so the user can pass the right --site.
      expect(((await other.listNodes().catch((e: unknown) => e)) as Error).message).toMatch(new RegExp(`this server holds the node registry of .*"${client.site}".*: pass --site`));
      expect(await codeOf(other.listDeadLetters())).toBe(DeployCodes.CLI_NO_NODES);
    } finally {
      await other.close();
    }
    expect(await codeOf(CairnClient.connect({ servers: server.url, replyTimeoutMs: 0 }))).toBe(KernelCodes.INVALID_OPTION);
    const port = await freePort();
    const refused = await CairnClient.connect({ servers: `nats://127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(isCairnError(refused, KernelCodes.NATS_UNREACHABLE)).toBe(true);
  });
});
