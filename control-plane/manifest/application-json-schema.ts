import { fileURLToPath } from 'node:url';
import { API_VERSION, ApplicationSchema } from './application-schema.ts';

export const SCHEMA_ID = 'https://cairn.dev/schemas/application-v1.schema.json';

/** Where the published JSON Schema is checked in (editors point `$schema` comments at it). */
export const SCHEMA_FILE = fileURLToPath(new URL('./cairn-application.schema.json', import.meta.url));

/** The published JSON Schema (draft-07), generated from the TypeBox definition. */
export function applicationJsonSchema(): Record<string, unknown> {
  // JSON round trip drops TypeBox's symbol-keyed metadata, leaving plain JSON Schema.
  const plain = JSON.parse(JSON.stringify(ApplicationSchema)) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: `Cairn Application (${API_VERSION})`,
    ...plain,
  };
}

/** The exact text of cairn-application.schema.json; one serializer so the golden test is exact. */
export function applicationJsonSchemaText(): string {
  return `${JSON.stringify(applicationJsonSchema(), null, 2)}\n`;
}
