// examples/client/fleet-report.mjs run as a user would, with plain node against a real site, and
// docs/client.md's example checked to be that file.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActorSystem } from '../../supervisor-trees/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';
import { defineActor } from '../../kernel/index.ts';
import { writeUpFile } from '../../deploy/embedded/index.ts';
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
  it('examples - fleet-report.mjs, run with plain node through the package’s own exports, finds the site as cairn up left it and reports it', async () => {
    // As beside `npx cairn up`: no CAIRN_SERVER, the site found through the cairn-up.json it writes.
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-fleet-'));
    try {
      await writeUpFile(dataDir, { url: server.url, site: 'plant', pid: process.pid, natsPid: server.pid, node: 'n1', startedAt: new Date().toISOString() });
      const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_DATA_DIR: dataDir };
      delete env['CAIRN_SERVER'];
      delete env['CAIRN_SITE'];
      // 'cairn/client' resolves to the built package (dist/) by the package's name, as in a user's project.
      const { stdout } = await run(process.execPath, [EXAMPLE], { env, timeout: 30_000 });
      expect(stdout.split('\n')).toEqual(['site plant: online, 1/1 nodes live', 'actor counter on n1: running, 1 handled', '']);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('docs - the example in docs/client.md is examples/client/fleet-report.mjs', async () => {
    const doc = await readFile(DOC, 'utf8');
    const block = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    expect(await readFile(EXAMPLE, 'utf8')).toContain(block!);
  });
});
