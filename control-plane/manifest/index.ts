/** Public face of control-plane/manifest: YAML application manifests in, validated Applications out. */
export { applicationProblems, parseManifest, parseManifestOrThrow } from './parse-manifest.ts';
export type { ManifestResult, ParseOptions } from './parse-manifest.ts';
export type { FileProblem } from './export-findings.ts';
export { loadManifestFile } from './load-manifest-file.ts';
export { isBuiltinModuleName, moduleConfigFindings, moduleFindings } from './module-findings.ts';
export type { ModuleRegistry } from './module-findings.ts';
export type { LoadedManifest } from './load-manifest-file.ts';
export { formatDiagnostics, formatPath } from './diagnostic.ts';
export type { Diagnostic, FormatOptions, PathSegment } from './diagnostic.ts';
export { ManifestError } from './manifest-error.ts';
export { ManifestLimits } from './manifest-limits.ts';
export type { ManifestErrorCode } from './manifest-error.ts';
export { applicationJsonSchema, applicationJsonSchemaText, SCHEMA_FILE, SCHEMA_ID } from './application-json-schema.ts';
export {
  ACTOR_MODES,
  API_VERSION,
  ApplicationSchema,
  KIND,
  RESTART_STRATEGIES,
  RESTART_TYPES,
  SPREADS,
} from './application-schema.ts';
export type {
  Actor,
  ActorManifest,
  ActorMode,
  Application,
  ApplicationManifest,
  RestartBackoff,
  Behaviour,
  Container,
  ContainerBuild,
  Program,
  Mailbox,
  Placement,
  Resources,
  RestartStrategy,
  RestartType,
  Route,
  RouteManifest,
  Spread,
  Supervisor,
} from './application-schema.ts';
