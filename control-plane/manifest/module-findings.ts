import { Value } from '@sinclair/typebox/value';
import type { ModuleDefinition, ModuleStreamSpec } from '../../kernel/index.ts';
import { ManifestDiagnosticCodes as Codes } from '../../protocols/index.ts';
import { didYouMean, filtersIntersect, mqttFilterProblem, mqttFilterSubjects, subjectFilterProblem } from '../../protocols/index.ts';
import type { RouteSource } from '../../protocols/index.ts';
import { error } from './finding.ts';
import type { Finding } from './finding.ts';
import { configFindings } from './schema-findings.ts';

/** Modules known without importing anything: `cairn/<name>`. */
export type ModuleRegistry = ReadonlyMap<string, ModuleDefinition>;

/** A built-in module's name (the rest name third-party modules by path or package). */
export function isBuiltinModuleName(name: string): boolean {
  return name.startsWith('cairn/');
}

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A built-in module must exist, run in the
 * actor's mode, and accept its `config` (each problem with its path under `config`). A third-party
 * module is checked the same way when the registry holds it (imported by the caller); one the
 * caller failed to import is reported with `loadErrors`' reason; any other is left to the site.
 */
export function moduleFindings(data: unknown, registry: ModuleRegistry, loadErrors: ReadonlyMap<string, string> = new Map()): Finding[] {
  if (!isRecord(data) || !isRecord(data['spec']) || !Array.isArray(data['spec']['actors'])) return [];
  const findings: Finding[] = [];
  (data['spec']['actors'] as unknown[]).forEach((actor, index) => {
    if (!isRecord(actor)) return;
    const at = ['spec', 'actors', index];
    const module = actor['module'];
    // Which of behaviour, module and program an actor has: semantic-findings.ts (sites check it too);
    // a module beside one of the others is reported there alone.
    if (actor['behaviour'] !== undefined || actor['program'] !== undefined) return;
    if (typeof module !== 'string') return;
    const loadError = loadErrors.get(module);
    if (loadError !== undefined) {
      findings.push(error([...at, 'module'], Codes.MODULE_NOT_LOADED, loadError));
      return;
    }
    const definition = registry.get(module);
    if (!definition && !isBuiltinModuleName(module)) return; // checked where it is imported
    if (!definition) {
      const known = [...registry.keys()];
      findings.push(error([...at, 'module'], Codes.UNKNOWN_MODULE, `there is no built-in module ${JSON.stringify(module)}${didYouMean(module, known)} (built-in: ${known.join(', ') || 'none'})`));
      return;
    }
    findings.push(...moduleConfigFindings(definition, actor, index));
  });
  findings.push(...streamOverlapFindings(data, registry));
  return findings;
}

/**
 * The streams modules declare must not take each other's subjects, nor those the application's
 * routes capture (the server refuses overlapping streams, which would fail the app on its site):
 * checked across the application's actors, at the later actor's config.
 */
function streamOverlapFindings(data: Record<string, unknown>, registry: ModuleRegistry): Finding[] {
  const spec = data['spec'] as Record<string, unknown>;
  const taken: { subject: string; owner: string }[] = [];
  for (const route of Array.isArray(spec['routes']) ? spec['routes'] : []) {
    const from = isRecord(route) && isRecord(route['from']) ? route['from'] : undefined;
    if (typeof from?.['subject'] === 'string') taken.push({ subject: from['subject'], owner: 'a route of this application' });
    if (typeof from?.['mqtt'] === 'string' && mqttFilterProblem(from['mqtt']) === undefined) for (const subject of mqttFilterSubjects(from['mqtt'])) taken.push({ subject, owner: 'a route of this application' });
  }
  const findings: Finding[] = [];
  (spec['actors'] as unknown[]).forEach((actor, index) => {
    if (!isRecord(actor) || typeof actor['module'] !== 'string') return;
    const definition = registry.get(actor['module']);
    const specs = definition ? declaredStreams(definition, actor) : [];
    for (const s of specs) {
      for (const subject of s.subjects) {
        const clash = taken.find((t) => filtersIntersect(t.subject, subject));
        if (clash) findings.push(error(['spec', 'actors', index, 'config'], Codes.BAD_MODULE_STREAM, `module ${definition!.name}'s stream ${JSON.stringify(s.name)} takes subject ${JSON.stringify(subject)}, which overlaps ${JSON.stringify(clash.subject)} of ${clash.owner}: a site cannot hold both; give them different subjects`));
      }
      for (const subject of s.subjects) taken.push({ subject, owner: `actor ${String(actor['id'])}'s stream ${JSON.stringify(s.name)}` });
    }
  });
  return findings;
}

/** The streams a module declares for an actor whose config is valid, or none (the config's own findings say why). */
function declaredStreams(definition: ModuleDefinition, actor: Readonly<Record<string, unknown>>): readonly ModuleStreamSpec[] {
  if (!definition.streams) return [];
  const config = Value.Default(definition.config, structuredClone(actor['config'] ?? {}));
  if (!Value.Check(definition.config, config)) return [];
  try {
    const specs = definition.streams(config as never);
    return Array.isArray(specs) ? specs.filter((s): s is ModuleStreamSpec => isRecord(s) && Array.isArray(s['subjects']) && s['subjects'].every((x: unknown) => typeof x === 'string')) : [];
  } catch {
    return [];
  }
}

/** One actor against its module: the mode is one the module runs in, the config its schema accepts. */
export function moduleConfigFindings(definition: ModuleDefinition, actor: Readonly<Record<string, unknown>>, index: number): Finding[] {
  const at = ['spec', 'actors', index];
  const findings: Finding[] = [];
  const mode = typeof actor['mode'] === 'string' ? actor['mode'] : 'inline';
  if (!definition.modes.includes(mode as never)) {
    findings.push(
      error(
        [...at, actor['mode'] === undefined ? 'module' : 'mode'],
        Codes.MODULE_MODE_UNSUPPORTED,
        `module ${definition.name} does not run in mode ${JSON.stringify(mode)}${actor['mode'] === undefined ? ' (the default)' : ''}: use ${definition.modes.map((m) => JSON.stringify(m)).join(' or ')}`,
      ),
    );
  }
  // Checked as the actor will get it: fields the schema gives a default need not be written.
  const config = Value.Default(definition.config, structuredClone(actor['config'] ?? {}));
  const configProblems = configFindings(definition.config, config, [...at, 'config']);
  findings.push(...configProblems);
  if (configProblems.length === 0) findings.push(...moduleCheckFindings(definition, config, [...at, 'config']), ...moduleRouteFindings(definition, config, [...at, 'config']), ...moduleStreamFindings(definition, config, [...at, 'config']));
  // A stream's subjects come from the config, so two instances on one site would take the same ones.
  const replicas = typeof actor['replicas'] === 'number' ? actor['replicas'] : 1;
  const spread = isRecord(actor['placement']) ? actor['placement']['spread'] : undefined;
  if (definition.streams && (replicas > 1 || spread === 'one-per-node') && spread !== 'one-per-site') {
    findings.push(error([...at, replicas > 1 ? 'replicas' : 'placement'], Codes.BAD_MODULE_STREAM, `module ${definition.name} declares streams, whose subjects come from the config: one instance per site only (replicas: 1, or spread one-per-site)`));
  } else if (definition.deviceAccess && (replicas > 1 || spread === 'one-per-node') && spread !== 'one-per-site') {
    findings.push(error([...at, replicas > 1 ? 'replicas' : 'placement'], Codes.MODULE_CONFIG_REFUSED, `module ${definition.name} configures its site's server for devices: one instance per site only (replicas: 1, or spread one-per-site)`));
  }
  return findings;
}

const STREAM_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const LIMITS = ['maxAgeMs', 'maxMsgs', 'maxBytes'] as const;
/** 100 years of age (the server counts nanoseconds in 64 bits); counts and bytes the server's int64. */
const LIMIT_MAX = { maxAgeMs: 3_153_600_000_000, maxMsgs: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER } as const;

/** The streams a module derives from a valid config: names, subjects and limits it can be created with. */
function moduleStreamFindings(definition: ModuleDefinition, config: unknown, at: readonly (string | number)[]): Finding[] {
  if (!definition.streams) return [];
  let declared: unknown;
  try {
    declared = definition.streams(config as never);
  } catch (err) {
    return [error([...at], Codes.BAD_MODULE_STREAM, `module ${definition.name} could not derive its streams from this config: ${(err as Error).message}`)];
  }
  if (!Array.isArray(declared) || !declared.every(isRecord)) {
    return [error([...at], Codes.BAD_MODULE_STREAM, `module ${definition.name}'s streams(config) did not return a list of stream specs ({ name, subjects, … }): a bug in the module`)];
  }
  const specs = declared as unknown as readonly ModuleStreamSpec[];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of specs) {
    const name = JSON.stringify(s.name);
    if (typeof s.name !== 'string' || !STREAM_NAME.test(s.name)) problems.push(`stream name ${name} is not valid (lowercase letters, digits and -, at most 32)`);
    else if (seen.has(s.name)) problems.push(`stream ${name} is declared twice`);
    else seen.add(s.name);
    if (!Array.isArray(s.subjects) || s.subjects.length === 0) problems.push(`stream ${name} has no subjects`);
    for (const subject of Array.isArray(s.subjects) ? s.subjects : []) {
      const problem = subjectFilterProblem(subject);
      if (problem !== undefined) problems.push(`stream ${name} cannot store subject ${JSON.stringify(subject)}: ${problem}`);
    }
    for (const limit of LIMITS) {
      const v = s[limit];
      if (v !== undefined && !(Number.isInteger(v) && v > 0 && v <= LIMIT_MAX[limit])) problems.push(`stream ${name}: ${limit} ${JSON.stringify(v)} is not an integer in 1-${LIMIT_MAX[limit]}`);
    }
    if (s.discard !== undefined && s.discard !== 'old' && s.discard !== 'new') problems.push(`stream ${name}: discard ${JSON.stringify(s.discard)} is not "old" or "new"`);
    if (s.retention !== undefined && s.retention !== 'limits' && s.retention !== 'workqueue') problems.push(`stream ${name}: retention ${JSON.stringify(s.retention)} is not "limits" or "workqueue"`);
  }
  return problems.map((p) => error([...at], Codes.BAD_MODULE_STREAM, `module ${definition.name} needs a stream it cannot have with this config: ${p}; change the config`));
}

/** What the module's own check refuses in a config its schema accepts, each at its path. */
function moduleCheckFindings(definition: ModuleDefinition, config: unknown, at: readonly (string | number)[]): Finding[] {
  if (!definition.check) return [];
  let problems: unknown;
  try {
    problems = definition.check(config as never);
  } catch (err) {
    return [error([...at], Codes.MODULE_CONFIG_REFUSED, `module ${definition.name} could not check this config: ${(err as Error).message}`)];
  }
  const wellFormed = (p: unknown): p is { path: (string | number)[]; message: string } => isRecord(p) && Array.isArray(p['path']) && typeof p['message'] === 'string';
  if (!Array.isArray(problems) || !problems.every(wellFormed)) return [error([...at], Codes.MODULE_CONFIG_REFUSED, `module ${definition.name}'s check(config) did not return a list of { path, message }: a bug in the module`)];
  return problems.map((p) => error([...at, ...p.path], Codes.MODULE_CONFIG_REFUSED, p.message));
}

/** The routes a module derives from a valid config, checked as manifest routes are. */
function moduleRouteFindings(definition: ModuleDefinition, config: unknown, at: readonly (string | number)[]): Finding[] {
  if (!definition.routes) return [];
  let declared: unknown;
  try {
    declared = definition.routes(config as never);
  } catch (err) {
    return [error([...at], Codes.BAD_ROUTE_SOURCE, `module ${definition.name} could not derive its routes from this config: ${(err as Error).message}`)];
  }
  const wellFormed = (r: unknown): r is RouteSource => isRecord(r) && (typeof r['subject'] === 'string') !== (typeof r['mqtt'] === 'string');
  if (!Array.isArray(declared) || !declared.every(wellFormed)) {
    return [error([...at], Codes.BAD_ROUTE_SOURCE, `module ${definition.name}'s routes(config) did not return a list of route sources ({ subject } or { mqtt }): a bug in the module`)];
  }
  const sources: readonly RouteSource[] = declared;
  return sources.flatMap((source): Finding[] => {
    const problem = source.mqtt !== undefined ? mqttFilterProblem(source.mqtt) : subjectFilterProblem(source.subject ?? '');
    const what = source.mqtt !== undefined ? `MQTT topic filter ${JSON.stringify(source.mqtt)}` : `subject ${JSON.stringify(source.subject)}`;
    return problem === undefined ? [] : [error([...at], Codes.BAD_ROUTE_SOURCE, `module ${definition.name} routes ${what} to this actor, which cannot be routed: ${problem}; change the config`)];
  });
}
