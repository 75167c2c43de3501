/**
 * Regenerates cairn-application.schema.json from the TypeBox definition:
 *   npx tsx control-plane/manifest/write-schema-file.ts
 * test/control-plane/manifest/schema-file.test.ts fails when the checked-in file is stale.
 */
import { writeFileSync } from 'node:fs';
import { applicationJsonSchemaText, SCHEMA_FILE } from './application-json-schema.ts';

writeFileSync(SCHEMA_FILE, applicationJsonSchemaText());
console.log(`wrote ${SCHEMA_FILE}`);
