import { Value } from '@sinclair/typebox/value';
import type { ModuleDefinition, ModuleStreamSpec } from '../../kernel/index.ts';
import { ManifestDiagnosticCodes as Codes } from '../../protocols/index.ts';
import { didYouMean, mqttFilterProblem, subjectFilterProblem } from '../../protocols/index.ts';
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
 * Every actor has a behaviour or a module, not both; a built-in module must exist, run in the
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
    const hasBehaviour = actor['behaviour'] !== undefined;
    if (module === undefined && !hasBehaviour) {
      findings.push(error(at, Codes.BEHAVIOUR_OR_MODULE, 'give the actor a behaviour (behaviour: { module: ./file.ts, export: … }) or a module (module: cairn/<name>)'));
      return;
    }
    if (module !== undefined && hasBehaviour) {
      findings.push(error([...at, 'module'], Codes.BEHAVIOUR_OR_MODULE, 'an actor runs a behaviour or a module, not both: remove behaviour or module'));
      return;
    }
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
  return findings;
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
  if (configProblems.length === 0) findings.push(...moduleRouteFindings(definition, config, [...at, 'config']), ...moduleStreamFindings(definition, config, [...at, 'config']));
  return findings;
}

const STREAM_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const LIMITS = ['maxAgeMs', 'maxMsgs', 'maxBytes'] as const;

/** The streams a module derives from a valid config: names, subjects and limits it can be created with. */
function moduleStreamFindings(definition: ModuleDefinition, config: unknown, at: readonly (string | number)[]): Finding[] {
  if (!definition.streams) return [];
  let specs: readonly ModuleStreamSpec[];
  try {
    specs = definition.streams(config as never);
  } catch (err) {
    return [error([...at], Codes.BAD_MODULE_STREAM, `module ${definition.name} could not derive its streams from this config: ${(err as Error).message}`)];
  }
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
      if (v !== undefined && !(Number.isInteger(v) && v > 0)) problems.push(`stream ${name}: ${limit} ${JSON.stringify(v)} is not a positive integer`);
    }
    if (s.discard !== undefined && s.discard !== 'old' && s.discard !== 'new') problems.push(`stream ${name}: discard ${JSON.stringify(s.discard)} is not "old" or "new"`);
  }
  return problems.map((p) => error([...at], Codes.BAD_MODULE_STREAM, `module ${definition.name} needs a stream it cannot have with this config: ${p}; change the config`));
}

/** The routes a module derives from a valid config, checked as manifest routes are. */
function moduleRouteFindings(definition: ModuleDefinition, config: unknown, at: readonly (string | number)[]): Finding[] {
  if (!definition.routes) return [];
  let sources: readonly RouteSource[];
  try {
    sources = definition.routes(config as never);
  } catch (err) {
    return [error([...at], Codes.BAD_ROUTE_SOURCE, `module ${definition.name} could not derive its routes from this config: ${(err as Error).message}`)];
  }
  return sources.flatMap((source): Finding[] => {
    const problem = source.mqtt !== undefined ? mqttFilterProblem(source.mqtt) : subjectFilterProblem(source.subject ?? '');
    const what = source.mqtt !== undefined ? `MQTT topic filter ${JSON.stringify(source.mqtt)}` : `subject ${JSON.stringify(source.subject)}`;
    return problem === undefined ? [] : [error([...at], Codes.BAD_ROUTE_SOURCE, `module ${definition.name} routes ${what} to this actor, which cannot be routed: ${problem}; change the config`)];
  });
}
