import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SITES_SCHEMA_FILE, sitesJsonSchema, sitesJsonSchemaText } from '../../../deploy/site/sites-json-schema.ts';
import { CLOUD_FIELDS, EDGE_FIELDS, SITES_FILE_FIELDS, parseSitesFile } from '../../../deploy/site/sites-file.ts';

const EXAMPLE = readFileSync(fileURLToPath(new URL('../../../examples/multi-site/sites.yaml', import.meta.url)), 'utf8');
const validate = new Ajv({ strict: true }).compile(sitesJsonSchema());
type Doc = Record<string, unknown> & { cloud: Record<string, unknown>; edges: Record<string, unknown>[] };
const example = (): Doc => parse(EXAMPLE) as Doc;
const checker = (doc: unknown): boolean => {
  try {
    parseSitesFile(stringify(doc));
    return true;
  } catch {
    return false;
  }
};

describe('cairn-sites.schema.json', () => {
  it('sites schema - the checked-in file equals the schema generated from its TypeBox definition', () => {
    // On failure: npx tsx deploy/site/sites-json-schema.ts
    expect(readFileSync(SITES_SCHEMA_FILE, 'utf8')).toBe(sitesJsonSchemaText());
  });

  it('sites schema - names exactly the fields the sites-file checker takes', () => {
    const schema = sitesJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown>; anyOf?: unknown; items?: { properties: Record<string, unknown> } }> };
    expect(Object.keys(schema.properties).sort()).toEqual([...SITES_FILE_FIELDS].sort());
    expect(Object.keys(schema.properties['cloud']!.properties!).sort()).toEqual([...CLOUD_FIELDS].sort());
    expect(Object.keys(schema.properties['edges']!.items!.properties).sort()).toEqual([...EDGE_FIELDS].sort());
  });

  it('sites schema - accepts the example and what the checker accepts, rejects what it rejects field by field', () => {
    expect(validate(example()), JSON.stringify(validate.errors)).toBe(true);
    const cases: [string, (d: Doc) => void][] = [
      ['the cloud left out', (d) => delete (d as Record<string, unknown>)['cloud']],
      ['the cloud without name and port', (d) => (d.cloud = { leafPort: 7422 })],
      ['a sync interval in ms', (d) => (d.edges[0]!['syncInterval'] = '100ms')],
      ['syncInterval always', (d) => (d.cloud['syncInterval'] = 'always')],
      ['an unknown top-level field', (d) => (d['extra'] = 1)],
      ['an unknown cloud field', (d) => (d.cloud['portt'] = 1)],
      ['an unknown edge field', (d) => (d.edges[0]!['nmae'] = 'x')],
      ['port 0', (d) => (d.edges[0]!['port'] = 0)],
      ['port 70000', (d) => (d.cloud['port'] = 70_000)],
      ['a port as text', (d) => (d.edges[1]!['port'] = '4224')],
      ['a name starting with a dash', (d) => (d.edges[0]!['name'] = '-edge')],
      ['a name with a space', (d) => (d.edges[0]!['name'] = 'edge one')],
      ['a host with a space', (d) => (d.edges[0]!['host'] = 'a b')],
      ['the wrong kind', (d) => (d['kind'] = 'Site')],
      ['no apiVersion', (d) => delete d['apiVersion']],
      ['no edges', (d) => (d.edges = [])],
      ['an edge without a port', (d) => delete d.edges[0]!['port']],
      ['a sync interval in words', (d) => (d.cloud['syncInterval'] = 'fast')],
      ['a label value that is a number', (d) => (d.edges[0]!['labels'] = { zone: 3 })],
      ['a label name with a dot', (d) => (d.edges[0]!['labels'] = { 'a.b': 'x' })],
      ['advertise without a port', (d) => (d.cloud['advertise'] = 'hub.example.com')],
      ['maxInstancesPerApp 0', (d) => (d.cloud['maxInstancesPerApp'] = 0)],
      ['maxInstancesPerApp above the limit', (d) => (d.cloud['maxInstancesPerApp'] = 10_001)],
      ['receivesFrom not a list', (d) => (d.edges[1]!['receivesFrom'] = 'edge1')],
      ['an mqtt listener without a port', (d) => (d.edges[0]!['mqtt'] = { host: '0.0.0.0' })],
      ['a websocket listener with an unknown field', (d) => (d.edges[0]!['websocket'] = { port: 8080, tls: true })],
      ['an empty dataDir', (d) => (d['dataDir'] = '')],
    ];
    for (const [what, change] of cases) {
      const doc = example();
      change(doc);
      expect(validate(doc), `${what}: the schema and the checker disagree`).toBe(checker(doc));
    }
  });
});
