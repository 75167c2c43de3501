import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { applicationJsonSchema, applicationJsonSchemaText, SCHEMA_FILE } from '../../../control-plane/manifest/index.ts';

describe('cairn-application.schema.json', () => {
  it('schema file - equals the schema generated from the TypeBox definition', () => {
    // On failure: npx tsx control-plane/manifest/write-schema-file.ts
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(applicationJsonSchemaText());
  });

  it('schema file - is a valid draft-07 schema that rejects unknown fields everywhere', () => {
    const schema = applicationJsonSchema();
    expect(() => new Ajv({ strict: true }).compile(schema)).not.toThrow();
    const objectsWithoutClosure: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (record['type'] === 'object' && record['additionalProperties'] !== false && at !== '.spec.actors[].config') {
        objectsWithoutClosure.push(at);
      }
      for (const [key, value] of Object.entries(record)) {
        const step = key === 'properties' ? '' : key === 'items' ? '[]' : key === 'patternProperties' ? '{}' : `/${key}`;
        if (key === 'properties' && value !== null && typeof value === 'object') {
          for (const [name, sub] of Object.entries(value)) walk(sub, `${at}.${name}`);
        } else walk(value, `${at}${step}`);
      }
    };
    walk(schema, '');
    expect(objectsWithoutClosure).toEqual([]);
  });
});
