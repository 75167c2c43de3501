import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSitesFile, parseSitesFile, planSites } from '../../../deploy/site/index.ts';
import { DEFAULT_SYNC_INTERVAL } from '../../../deploy/nats-server/index.ts';
import { isCairnError } from '../../../protocols/index.ts';

const EXAMPLE = fileURLToPath(new URL('../../../examples/multi-site/sites.yaml', import.meta.url));

function problemsOf(text: string): string[] {
  try {
    parseSitesFile(text, '/tmp/sites.yaml');
  } catch (err) {
    if (!isCairnError(err, 'CAIRN_SITES_FILE_INVALID')) throw err;
    return (err.details['problems'] as string[]);
  }
  throw new Error('expected CAIRN_SITES_FILE_INVALID');
}

describe('sites file', () => {
  it('sites file - one over 1 MiB is refused before parsing, naming the cap', () => {
    let err: unknown;
    try {
      parseSitesFile(`# ${'x'.repeat(1_100_000)}\n`, 'huge.yaml');
    } catch (e) {
      err = e;
    }
    expect(isCairnError(err, 'CAIRN_INPUT_TOO_LARGE')).toBe(true);
    expect((err as Error).message).toContain('1048576');
  });


  it('sites file - certificateNames are checked one by one and named by path', () => {
    let err: unknown;
    try {
      parseSitesFile('apiVersion: cairn.dev/v1\nkind: Sites\nedges:\n  - { name: edge1, port: 4223, certificateNames: [plant1.example.com, "*.plant.example.com", "fe80::1", "has space", 7] }\n  - { name: edge2, port: 4224, certificateNames: plant2 }\n');
    } catch (e) {
      err = e;
    }
    expect(isCairnError(err, 'CAIRN_SITES_FILE_INVALID')).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain('edges[0].certificateNames[3]: is "has space"');
    expect(message).toContain('edges[0].certificateNames[4]: is 7');
    expect(message).toContain('edges[1].certificateNames: is "plant2": give a list');
    expect(message).not.toContain('certificateNames[0]');
    expect(message).not.toContain('certificateNames[1]');
    expect(message).not.toContain('certificateNames[2]');
  });

  it('sites file - maxInstancesPerApp reaches the site file its nodes read; a bad value is named', () => {
    const sites = parseSitesFile('apiVersion: cairn.dev/v1\nkind: Sites\ncloud: { port: 4222 }\nedges:\n  - { name: edge1, port: 4223, maxInstancesPerApp: 50 }\n');
    expect(sites.edges[0]!.maxInstancesPerApp).toBe(50);
    const [cloud, edge] = planSites(sites, { outDir: '/tmp/out', password: () => 'pw' });
    expect(edge!.file.maxInstancesPerApp).toBe(50);
    expect(cloud!.file.maxInstancesPerApp).toBeUndefined();
    let err: unknown;
    try {
      parseSitesFile('apiVersion: cairn.dev/v1\nkind: Sites\ncloud: { port: 4222, maxInstancesPerApp: 0 }\n');
    } catch (e) {
      err = e;
    }
    expect(isCairnError(err, 'CAIRN_SITES_FILE_INVALID')).toBe(true);
    expect((err as Error).message).toContain('cloud.maxInstancesPerApp');
  });

  it('sites file - the example in examples/multi-site is valid, with defaults applied', async () => {
    const sites = await loadSitesFile(EXAMPLE);
    expect(sites.cloud).toEqual({ name: 'cloud', host: '127.0.0.1', port: 4222, leafPort: 7422, httpPort: 8222, labels: {}, certificateNames: [] });
    expect(sites.edges.map((e) => e.name)).toEqual(['edge1', 'edge2']);
    expect(sites.edges[0]).toMatchObject({ host: '127.0.0.1', port: 4223, mqtt: { port: 1883 }, websocket: { port: 8080 }, labels: { zone: 'north' }, receivesFrom: [] });
    expect(sites.edges[1]!.receivesFrom).toEqual(['edge1']);
    // A relative dataDir is resolved against the file's directory, not the working directory.
    expect(sites.dataDir).toBe(join(EXAMPLE, '..', '.cairn-sites'));
  });

  it('sites file - every problem is reported at once, each with its path and line', () => {
    const problems = problemsOf(`apiVersion: cairn.dev/v2
kind: Sites
cloud: { name: cloud, port: 4222, colour: blue }
edges:
  - { name: "edge 1", port: 4223 }
  - { name: cloud, port: 4222 }
  - { name: edge3, port: 70000, receivesFrom: [nowhere] }
`);
    expect(problems).toEqual([
      '[error] /tmp/sites.yaml:1:1 apiVersion: is "cairn.dev/v2": use cairn.dev/v1',
      expect.stringMatching(/^\[error\] \/tmp\/sites\.yaml:3:\d+ cloud\.colour: unknown field "colour": remove it \(cloud takes name, host, port/),
      expect.stringMatching(/^\[error\] \/tmp\/sites\.yaml:5:\d+ edges\[0\]\.name: is "edge 1": use 1-128 characters from \[A-Za-z0-9_-\]/),
      expect.stringMatching(/:6:\d+ edges\[1\]\.name: is "cloud", the same as cloud\.name: give every site its own name/),
      expect.stringMatching(/:6:\d+ edges\[1\]\.port: is 4222 on 127\.0\.0\.1, the same as cloud\.port: give each listener on a host its own port/),
      expect.stringMatching(/:7:\d+ edges\[2\]\.port: is 70000: use an integer port in 1-65535/),
      expect.stringMatching(/:7:\d+ edges\[2\]\.receivesFrom\[0\]: is "nowhere", which is not an edge in this file: use one of edge3$/),
    ]);
  });

  it('sites file - missing sections, wrong kind and YAML syntax errors are named', () => {
    expect(problemsOf('apiVersion: cairn.dev/v1\nkind: Application\n')).toEqual([
      expect.stringContaining('edges: is missing: list at least one edge'),
      expect.stringContaining('kind: is "Application": use Sites'),
    ]);
    expect(problemsOf('kind: [\n')[0]).toMatch(/^\[error\] \/tmp\/sites\.yaml:\d+:\d+ YAML syntax:/);
    expect(problemsOf('apiVersion: cairn.dev/v1\nkind: Sites\nedges:\n  - { name: e1, port: 4300, labels: { zone: 1 }, mqtt: { port: 4300 } }\n')).toEqual([
      expect.stringContaining('edges[0].labels.zone: is 1: label values are strings'),
      expect.stringContaining('edges[0].mqtt.port: is 4300 on 127.0.0.1, the same as edges[0].port'),
    ]);
  });

  it('sites file - syncInterval per site reaches its nats-server config; without it each role gets its default', () => {
    const sites = parseSitesFile(`apiVersion: cairn.dev/v1
kind: Sites
cloud: { port: 4222, syncInterval: always }
edges:
  - { name: edge1, port: 4223, syncInterval: 5s }
  - { name: edge2, port: 4224 }
`, '/tmp/sites.yaml');
    const plan = planSites(sites, { outDir: '/tmp/out', password: () => 'pw' });
    expect(plan.map((p) => [p.site, p.config.jetstream?.sync_interval])).toEqual([
      ['cloud', 'always'],
      ['edge1', '5s'],
      ['edge2', DEFAULT_SYNC_INTERVAL.edge],
    ]);
    expect(DEFAULT_SYNC_INTERVAL).toEqual({ edge: 'always', embedded: 'always', cloud: '1s' });
  });

  it('sites file - a syncInterval nats-server would not take is named with its path', () => {
    const problems = problemsOf(`apiVersion: cairn.dev/v1
kind: Sites
cloud: { port: 4222 }
edges:
  - { name: edge1, port: 4223, syncInterval: never }
`);
    expect(problems).toEqual([expect.stringMatching(/edges\[0\]\.syncInterval: is "never": use "always" \(fsync before each acknowledged write/)]);
  });

  it('sites file - a missing file is CAIRN_SITES_FILE_NOT_FOUND naming the path', async () => {
    await expect(loadSitesFile('/nonexistent/sites.yaml')).rejects.toMatchObject({ code: 'CAIRN_SITES_FILE_NOT_FOUND', message: expect.stringContaining('/nonexistent/sites.yaml') });
  });
});
