// examples/client/fleet-report.mjs run as a user would, with plain node against a real site, and
// docs/client.md's example checked to be that file.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { defineActor } from '../../kernel/index.ts';
import { startTestServer } from '../helpers/nats.ts';
import type { TestServer } from '../helpers/nats.ts';

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('../../examples/client/fleet-report.mjs', import.meta.url));
const DOC = fileURLToPath(new URL('../../docs/client.md', import.meta.url));

let server: TestServer;
let system: ActorSystem;

beforeAll(async () => {
  server = await startTestServer();
  system = await createActorSystem({ servers: server.url, site: 'plant', node: 'n1' });
  const counter = await system.spawn(defineActor({ name: 'counter', receive: () => undefined }), { id: 'counter' });
  await counter.ask({ type: 'hello' });
}, 30_000);
afterAll(async () => {
  await system?.shutdown();
  await server?.cleanup();
});

describe('examples/client', () => {
  it('examples - fleet-report.mjs, run with plain node through the package’s own exports, reports the site, its actor and no apps', async () => {
    // 'cairn/client' resolves to the built package (dist/) by the package's name, as in a user's project.
    const { stdout } = await run(process.execPath, [EXAMPLE], { env: { ...process.env, CAIRN_SERVER: server.url, CAIRN_SITE: 'plant' }, timeout: 30_000 });
    expect(stdout.split('\n')).toEqual(['site plant: online, 1/1 nodes live', 'actor counter on n1: running, 1 handled', '']);
  }, 60_000);

  it('docs - the example in docs/client.md is examples/client/fleet-report.mjs', async () => {
    const doc = await readFile(DOC, 'utf8');
    const block = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    expect(await readFile(EXAMPLE, 'utf8')).toContain(block!);
  });
});
