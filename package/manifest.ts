// `import { … } from 'cairn/manifest'`: application manifests (YAML) in, validated Applications out,
// with every problem reported at once; the JSON Schema is 'cairn/manifest/schema.json'.
export * from '../control-plane/manifest/index.ts';
// Third-party modules checked too (imported beside the manifest, as the sites will).
export { parseManifestWithModules } from '../control-plane/index.ts';
