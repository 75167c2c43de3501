import { Value } from '@sinclair/typebox/value';
import { ManifestCodes } from '../../protocols/index.ts';
import type { ManifestDiagnosticCode } from '../../protocols/index.ts';
import { ApplicationSchema } from './application-schema.ts';
import type { Application } from './application-schema.ts';
import { formatDiagnostics, formatPath } from './diagnostic.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { Finding } from './finding.ts';
import { ManifestError } from './manifest-error.ts';
import { schemaFindings } from './schema-findings.ts';
import { semanticFindings } from './semantic-findings.ts';
import { unsupportedFindings } from './unsupported-findings.ts';
import { moduleFindings } from './module-findings.ts';
import type { ModuleRegistry } from './module-findings.ts';
import { BUILTIN_MODULES } from '../../actors/index.ts';
import { readYamlSource } from './yaml-source.ts';
import { behaviourExportFindings, behaviourFileFindings } from './export-findings.ts';
import type { FileProblem } from './export-findings.ts';

/** What parseManifest knows about the modules actors name. */
export interface ParseOptions {
  /** Modules by name, checked against their actors (mode, config) @default Cairn's built-in modules */
  readonly modules?: ModuleRegistry;
  /** Modules that could not be loaded, by name → why: each actor naming one gets an error. */
  readonly moduleErrors?: ReadonlyMap<string, string>;
  /** Behaviour exports that cannot run in their actor's mode, by actor index → why (see behaviourExportFindings). */
  readonly exportErrors?: ReadonlyMap<number, string>;
  /** Behaviour files that are missing or do not build, by actor index (see behaviourFileFindings). */
  readonly fileProblems?: readonly FileProblem[];
}

export type ManifestResult =
  | { readonly ok: true; readonly app: Application; readonly warnings: Diagnostic[] }
  | { readonly ok: false; readonly errors: Diagnostic[]; readonly warnings: Diagnostic[] };

/**
 * YAML text → a validated Application with defaults applied, or every problem found. Never throws.
 * Schema and semantic problems are gathered in one pass and sorted by position in the text.
 * Actors of a known module (`module: cairn/<name>`, or any in `options.modules`) are checked against
 * it: its modes and its config schema, whose defaults fill their `config`. Third-party modules are
 * imported first by parseManifestWithModules (control-plane), which passes them here.
 * @param source file name used in YAML syntax messages
 */
export function parseManifest(text: string, source?: string, options: ParseOptions = {}): ManifestResult {
  const modules = options.modules ?? BUILTIN_MODULES;
  const yaml = readYamlSource(text, source);
  const diagnostics = [...yaml.diagnostics];
  if (yaml.data !== undefined) {
    const findings: Finding[] = [...schemaFindings(yaml.data), ...semanticFindings(yaml.data), ...unsupportedFindings(yaml.data), ...moduleFindings(yaml.data, modules, options.moduleErrors), ...behaviourExportFindings(options.exportErrors), ...behaviourFileFindings(options.fileProblems)];
    const placed = findings.map((f): Diagnostic => ({
      level: f.level,
      path: formatPath(f.segments),
      code: f.code,
      message: f.message,
      ...yaml.positionOf(f.segments),
    }));
    diagnostics.push(...sortByPosition(placed));
  }
  const errors = diagnostics.filter((d) => d.level === 'error');
  const warnings = diagnostics.filter((d) => d.level === 'warning');
  if (errors.length > 0 || yaml.data === undefined) return { ok: false, errors, warnings };
  // Defaults are the schema's `default` keywords; applied to a copy, after validation passed.
  const app = Value.Default(ApplicationSchema, structuredClone(yaml.data)) as Application;
  for (const actor of app.spec.actors) {
    const module = actor.module === undefined ? undefined : modules.get(actor.module);
    if (module) (actor as { config: unknown }).config = Value.Default(module.config, actor.config);
  }
  return { ok: true, app, warnings };
}

/**
 * The errors an application already parsed (a stored record, an object built in code) has against
 * the schema and the rules that need no module code: what a site checks before it acts on a
 * revision, since the bucket may hold what no apply of this Cairn would have stored. Pure.
 */
export function applicationProblems(data: unknown): Diagnostic[] {
  const findings: Finding[] = [...schemaFindings(data), ...semanticFindings(data), ...unsupportedFindings(data)];
  return findings.filter((f) => f.level === 'error').map((f): Diagnostic => ({ level: f.level, path: formatPath(f.segments), code: f.code, message: f.message }));
}

/** parseManifest, throwing ManifestError (CAIRN_MANIFEST_INVALID) when there are errors. */
export function parseManifestOrThrow(text: string, source?: string): { app: Application; warnings: Diagnostic[] } {
  const result = parseManifest(text, source);
  if (result.ok) return { app: result.app, warnings: result.warnings };
  const all = [...result.errors, ...result.warnings];
  const count = `${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`;
  const message = `manifest ${source === undefined ? '' : `${source} `}is invalid (${count}):\n${formatDiagnostics(all, { positions: true, ...(source === undefined ? {} : { source }) })}`;
  return throwInvalid(message, all, source);
}

function throwInvalid(message: string, diagnostics: Diagnostic[], source: string | undefined): never {
  throw new ManifestError(ManifestCodes.INVALID, message, { diagnostics, ...(source === undefined ? {} : { source }) });
}

function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic): number => (d.line === undefined ? Number.MAX_SAFE_INTEGER : d.line * 1_000_000 + (d.column ?? 0));
  return diagnostics
    .map((d, index) => ({ d, index }))
    .sort((a, b) => key(a.d) - key(b.d) || a.index - b.index)
    .map(({ d }) => d);
}
