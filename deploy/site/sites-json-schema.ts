import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import { ManifestLimits } from '../../control-plane/index.ts';
import { CERTIFICATE_NAME } from './sites-file.ts';

/*
 * The published JSON Schema of a sites file (`kind: Sites`), for editors and CI linters. The sites
 * file is checked by deploy/site/sites-file.ts (every problem with its path, plus what a schema
 * cannot say: unique names and ports, receivesFrom naming other edges); this schema says the
 * same of each field, and test/deploy/site/sites-schema.test.ts keeps the two in step.
 */

const NAME = '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$';
const name = (description: string): TSchema => Type.String({ pattern: NAME, description });
const port = (description: string): TSchema => Type.Integer({ minimum: 1, maximum: 65535, description });
const host = (description: string): TSchema => Type.String({ minLength: 1, pattern: '^[^\\s/]+$', description });

const listener = (what: string): TSchema =>
  Type.Object({ host: Type.Optional(host(`address the ${what} listener binds (default: the site's host)`)), port: port(`${what} port`) }, { additionalProperties: false, description: `${what} listener` });

/** Fields every site has, by name (the cloud's name and port have defaults). */
function siteFields(defaults: { name: boolean; port: boolean }) {
  const nameSchema = name('site name: also its server_name and JetStream domain');
  const portSchema = port('client port');
  return {
    name: defaults.name ? Type.Optional(nameSchema) : nameSchema,
    host: Type.Optional(host('address the site\'s listeners bind (default "127.0.0.1")')),
    port: defaults.port ? Type.Optional(portSchema) : portSchema,
    httpPort: Type.Optional(port('monitoring port (on 127.0.0.1)')),
    mqtt: Type.Optional(listener('MQTT 3.1.1')),
    websocket: Type.Optional(listener('WebSocket (NATS, and MQTT at /mqtt)')),
    labels: Type.Optional(Type.Record(Type.String({ pattern: NAME }), Type.String(), { additionalProperties: false, description: "labels the site's nodes register with" })),
    syncInterval: Type.Optional(Type.String({ pattern: '^(always|[1-9][0-9]*(ms|s|m|h))$', description: 'JetStream sync_interval: "always" (fsync before each acknowledged write) or a duration between fsyncs ("1s"); default by role: edges "always", the cloud "1s"' })),
    maxInstancesPerApp: Type.Optional(Type.Integer({ minimum: 1, maximum: ManifestLimits.instancesPerApp, description: 'the most actor instances one application may create on this site' })),
    certificateNames: Type.Optional(Type.Array(Type.String({ pattern: CERTIFICATE_NAME.source, description: 'a host name or IP address' }), { description: "names devices dial this site by, put in the server certificate `cairn site init` makes (besides its host, 127.0.0.1 and localhost)" })),
  };
}

export const SitesSchema = Type.Object(
  {
    apiVersion: Type.Literal('cairn.dev/v1'),
    kind: Type.Literal('Sites'),
    cloud: Type.Optional(Type.Object(
      {
        ...siteFields({ name: true, port: true }),
        leafPort: Type.Optional(port('leafnode port the edges dial (default 7422)')),
        advertise: Type.Optional(Type.String({ pattern: '^[^\\s/]+:[0-9]{1,5}$', description: '"host:port" the edges dial to reach leafPort (a public name, NAT or proxy)' })),
      },
      { additionalProperties: false, description: 'the cloud hub (name default "cloud", port default 4222; all of it may be left out)' },
    )),
    edges: Type.Array(
      Type.Object(
        {
          ...siteFields({ name: false, port: false }),
          receivesFrom: Type.Optional(Type.Array(name('an edge that sends to this one directly'), { description: "other edges whose outboxes this edge's mailbox receives from, besides the cloud's" })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, description: 'the edges: leaves of the cloud, each its own JetStream domain' },
    ),
    dataDir: Type.Optional(Type.String({ minLength: 1, description: 'where `cairn site init` writes by default, relative to this file (default ./.cairn-sites)' })),
  },
  { additionalProperties: false, description: 'A Cairn deployment: one cloud and its edge sites (cairn site init -f <this file>).' },
);

export const SITES_SCHEMA_ID = 'https://cairn.dev/schemas/sites-v1.schema.json';
/** Where the published JSON Schema is checked in. */
export const SITES_SCHEMA_FILE = fileURLToPath(new URL('./cairn-sites.schema.json', import.meta.url));

/** The published JSON Schema (draft-07), generated from the TypeBox definition above. */
export function sitesJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(SitesSchema)) as Record<string, unknown>;
  return { $schema: 'http://json-schema.org/draft-07/schema#', $id: SITES_SCHEMA_ID, title: 'Cairn Sites (cairn.dev/v1)', ...plain };
}

/** The exact text of cairn-sites.schema.json (one serializer, so the golden test is exact). */
export function sitesJsonSchemaText(): string {
  return `${JSON.stringify(sitesJsonSchema(), null, 2)}\n`;
}

// Regenerates the file: npx tsx deploy/site/sites-json-schema.ts
if (process.argv[1]?.endsWith('sites-json-schema.ts')) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(SITES_SCHEMA_FILE, sitesJsonSchemaText());
  console.log(`wrote ${SITES_SCHEMA_FILE}`);
}
