import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  cloudClusterConfigs,
  cloudSiteConfig,
  edgeSiteConfig,
  embeddedConfig,
  findNatsServer,
  renderNatsServerConfig,
} from '../../../deploy/nats-server/index.ts';
import type { NatsServerConfig } from '../../../deploy/nats-server/index.ts';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
// CAIRN_UPDATE_GOLDEN=1 rewrites the files; review the diff before keeping it.
const UPDATE = process.env['CAIRN_UPDATE_GOLDEN'] === '1';

const cluster = cloudClusterConfigs(3, {
  storeDir: '/var/lib/cairn/cloud',
  hosts: ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
  httpPort: 8222,
  edges: [{ name: 'edge1', password: 's3cret' }],
});

const cases: readonly (readonly [file: string, config: NatsServerConfig])[] = [
  ['embedded.conf', embeddedConfig({ storeDir: '/var/lib/cairn/jetstream' })],
  [
    'embedded-domain.conf',
    embeddedConfig({ name: 'dev', domain: 'dev', storeDir: '/var/lib/cairn/dev', port: 14222, httpPort: 18222, maxFileStore: 10_737_418_240 }),
  ],
  [
    'cloud.conf',
    cloudSiteConfig({
      storeDir: '/var/lib/cairn/cloud',
      httpPort: 8222,
      leafnodes: {
        advertise: 'hub.example.com:7422',
        edges: [
          { name: 'edge1', password: 's3cret' },
          { name: 'edge2', password: '$2a$11$W4fQnN0mTq2TgT7QbY9Pm.f3bqzG0gU2rjH7Yy1d2l5ZcXq3kqGxK' },
        ],
      },
    }),
  ],
  [
    'edge.conf',
    edgeSiteConfig({
      name: 'edge1',
      storeDir: '/var/lib/cairn/edge1',
      cloud: { urls: ['nats-leaf://hub.example.com:7422'], password: 's3cret' },
      mqtt: { port: 1883 },
      websocket: { port: 8080 },
    }),
  ],
  ['cloud-cluster-1.conf', cluster[0]!],
  ['cloud-cluster-2.conf', cluster[1]!],
  ['cloud-cluster-3.conf', cluster[2]!],
];

describe('site configs (golden)', () => {
  it.each(cases)('site configs - %s matches its golden file', async (file, config) => {
    const text = renderNatsServerConfig(config);
    const path = join(GOLDEN_DIR, file);
    if (UPDATE) await writeFile(path, text);
    expect(text).toBe(await readFile(path, 'utf8'));
  });

  it('site configs - every golden file parses with `nats-server -t`', async () => {
    const binary = await findNatsServer();
    for (const [file] of cases) {
      // -t only parses and validates: it neither binds ports nor creates store dirs.
      const { stdout, stderr } = await promisify(execFile)(binary, ['-t', '-c', join(GOLDEN_DIR, file)]);
      expect(`${stdout}${stderr}`).toContain('is valid');
    }
  });
});
