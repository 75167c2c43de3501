import { Value } from '@sinclair/typebox/value';
import { ManifestDiagnosticCodes as Codes } from '../../protocols/index.ts';
import { ManifestLimits } from './manifest-limits.ts';
import { BackoffSchema } from './application-schema.ts';
import { didYouMean } from '../../protocols/index.ts';
import { filterCovers, filtersIntersect, mqttFilterProblem, mqttFilterSubjects, subjectFilterProblem } from '../../protocols/index.ts';
import { error, warning } from './finding.ts';
import type { Finding } from './finding.ts';

/*
 * Rules the schema cannot express. They read the raw document defensively (it may also have
 * schema errors) so that one run reports every problem; each rule skips values of the wrong type,
 * which the schema already reports.
 */

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function records(value: unknown): Array<[number, Raw]> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index): Array<[number, Raw]> => (isRecord(item) ? [[index, item]] : []));
}

export function semanticFindings(data: unknown): Finding[] {
  if (!isRecord(data) || !isRecord(data['spec'])) return [];
  const spec = data['spec'];
  const actors = records(spec['actors']);
  return [
    ...duplicateActorIds(actors),
    ...actors.flatMap(([index, actor]) => [...runsRules(index, actor), ...containerRules(index, actor), ...spreadRules(index, actor)]),
    ...routeRules(records(spec['routes']), actors),
    ...backoffRules(spec['supervisor']),
    ...instanceRules(actors),
  ];
}

/** The instances the application asks a site for (its actors' replicas) stay within ManifestLimits.instancesPerApp. */
function instanceRules(actors: Array<[number, Raw]>): Finding[] {
  const total = actors.reduce((n, [, actor]) => {
    const placement = isRecord(actor['placement']) ? actor['placement'] : {};
    const replicas = typeof actor['replicas'] === 'number' && Number.isFinite(actor['replicas']) ? actor['replicas'] : 1;
    return n + (placement['spread'] === 'one-per-site' ? 1 : Math.max(1, replicas));
  }, 0);
  if (total <= ManifestLimits.instancesPerApp) return [];
  return [error(['spec', 'actors'], Codes.OUT_OF_RANGE, `the actors ask a site for ${total} instances in all (their replicas): at most ${ManifestLimits.instancesPerApp} per application; lower replicas or split the application`)];
}

function duplicateActorIds(actors: Array<[number, Raw]>): Finding[] {
  const firstIndex = new Map<string, number>();
  const findings: Finding[] = [];
  for (const [index, actor] of actors) {
    const id = actor['id'];
    if (typeof id !== 'string') continue;
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, index);
    else {
      findings.push(
        error(
          ['spec', 'actors', index, 'id'],
          Codes.DUPLICATE_ACTOR_ID,
          `actor id ${JSON.stringify(id)} is already used by spec.actors[${first}]: give each actor its own id (use replicas for copies)`,
        ),
      );
    }
  }
  return findings;
}

/** What an actor runs: exactly one of a behaviour, a module and a program; a program as its own process (process or container mode). */
function runsRules(index: number, actor: Raw): Finding[] {
  const at = ['spec', 'actors', index];
  const given = (['behaviour', 'module', 'program'] as const).filter((k) => actor[k] !== undefined);
  if (given.length === 0) {
    return [error(at, Codes.BEHAVIOUR_OR_MODULE, 'give the actor a behaviour (behaviour: { module: ./file.ts, export: … }), a module (module: cairn/<name>) or a program (program: { command: [/usr/bin/python3, actor.py], dir: ./actor })')];
  }
  if (given.length > 1) return [error([...at, given[1]!], Codes.BEHAVIOUR_OR_MODULE, `an actor runs one of a behaviour, a module and a program, and this one has ${given.join(' and ')}: keep one`)];
  const mode = actor['mode'] ?? 'inline';
  if (actor['program'] !== undefined && typeof mode === 'string' && mode !== 'process' && mode !== 'container') {
    return [error([...at, 'mode'], Codes.SETTING_NOT_FOR_MODE, `a program runs as its own process: set mode: process (on the node) or mode: container, not ${JSON.stringify(mode)}${actor['mode'] === undefined ? ' (the default)' : ''}`)];
  }
  return [];
}

function containerRules(index: number, actor: Raw): Finding[] {
  const mode = actor['mode'] ?? 'inline';
  const container = actor['container'];
  const hasSource = isRecord(container) && (container['image'] !== undefined || container['build'] !== undefined);
  const pinned = isRecord(container) && container['imageId'] !== undefined;
  if (actor['module'] !== undefined && (hasSource || pinned)) {
    // A module's code is its own: it runs bundled in Cairn's base image, never in the user's image.
    return [
      error(
        ['spec', 'actors', index, 'container', isRecord(container) && container['image'] !== undefined ? 'image' : isRecord(container) && container['build'] !== undefined ? 'build' : 'imageId'],
        Codes.MODULE_CONTAINER_IMAGE,
        'a module actor runs in Cairn\'s base image: remove container.image, container.imageId and container.build (binds, network and resources still apply)',
      ),
    ];
  }
  if (mode === 'container') {
    if (pinned && isRecord(container) && container['build'] !== undefined) {
      // A pin names one image; a build makes a new one on each site: they cannot both hold.
      return [error(['spec', 'actors', index, 'container', 'imageId'], Codes.NOT_ALLOWED, 'container.imageId pins an existing image and container.build makes a new one on the site: keep one of them')];
    }
    // A module, or a program without an image, runs in Cairn's base image with the host's runtimes.
    if (hasSource || actor['module'] !== undefined || actor['program'] !== undefined) return [];
    return [
      error(
        ['spec', 'actors', index, 'container'],
        Codes.CONTAINER_WITHOUT_IMAGE,
        'mode "container" needs container.image (an image to pull) or container.build (a directory with a Dockerfile), or a program or module (run in Cairn\'s base image)',
      ),
    ];
  }
  if (container !== undefined && typeof mode === 'string') {
    // Refused, not ignored: settings that would do nothing are a mistake worth stopping for.
    return [
      error(
        ['spec', 'actors', index, 'container'],
        Codes.CONTAINER_SETTINGS_IGNORED,
        `container settings apply in mode "container" only, and this actor's mode is ${JSON.stringify(mode)}${actor['mode'] === undefined ? ' (the default)' : ''}: set mode: container or remove them`,
      ),
    ];
  }
  return [];
}

/*
 * Spread semantics follow supervisor-trees/placement: one-per-site runs one replica on each target
 * site and ignores `replicas`; one-per-node places `replicas` copies at most one per node.
 */
function spreadRules(index: number, actor: Raw): Finding[] {
  const placement = actor['placement'];
  if (!isRecord(placement)) return [];
  const spread = placement['spread'];
  const replicas = actor['replicas'];
  if (spread === 'one-per-site' && typeof replicas === 'number') {
    return [
      warning(
        ['spec', 'actors', index, 'replicas'],
        Codes.REPLICAS_IGNORED,
        `replicas (${replicas}) is ignored with spread "one-per-site", which runs one replica on each target site: remove replicas, or use spread "one-per-node" for a fixed count`,
      ),
    ];
  }
  if (spread === 'one-per-node' && (replicas === undefined || replicas === 1)) {
    return [
      warning(
        ['spec', 'actors', index, 'placement', 'spread'],
        Codes.SPREAD_WITHOUT_EFFECT,
        'spread "one-per-node" has no effect with 1 replica: raise replicas or remove spread',
      ),
    ];
  }
  return [];
}

function routeRules(routes: Array<[number, Raw]>, actors: Array<[number, Raw]>): Finding[] {
  const ids = [...new Set(actors.map(([, actor]) => actor['id']).filter((id): id is string => typeof id === 'string'))];
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  for (const [index, route] of routes) {
    const to = route['to'];
    const target = isRecord(to) ? to['actor'] : undefined;
    if (typeof target === 'string' && !ids.includes(target)) {
      findings.push(
        error(
          ['spec', 'routes', index, 'to', 'actor'],
          Codes.UNKNOWN_ROUTE_TARGET,
          `route target ${JSON.stringify(target)} is not an actor of this application${didYouMean(target, ids)} (actors: ${ids.join(', ') || 'none'})`,
        ),
      );
    }
    const from = route['from'];
    if (!isRecord(from)) continue;
    const source = sourceProblem(from);
    if (source !== undefined) findings.push(error(['spec', 'routes', index, 'from', source.field], Codes.BAD_ROUTE_SOURCE, source.message));
    const key = JSON.stringify([from['mqtt'], from['subject'], target]);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else {
      findings.push(
        warning(['spec', 'routes', index], Codes.DUPLICATE_ROUTE, `same source and target as spec.routes[${first}]: each message would be delivered twice; remove one`),
      );
    }
  }
  findings.push(...overlapRules(routes));
  return findings;
}

/**
 * Routes of one application are captured by one stream, and nats-server refuses a stream whose
 * subjects meet without one covering the other (`plant.*.status` and `plant.devices.>`): named at
 * apply time instead of failing the application on its site.
 */
function overlapRules(routes: Array<[number, Raw]>): Finding[] {
  const taken: { index: number; subject: string }[] = [];
  const findings: Finding[] = [];
  for (const [index, route] of routes) {
    const from = route['from'];
    if (!isRecord(from) || sourceProblem(from) !== undefined) continue;
    const subjects = typeof from['mqtt'] === 'string' && from['mqtt'] !== '' ? mqttFilterSubjects(from['mqtt']) : typeof from['subject'] === 'string' && from['subject'] !== '' ? [from['subject']] : [];
    for (const subject of subjects) {
      const clash = taken.find((t) => t.index !== index && filtersIntersect(t.subject, subject) && !filterCovers(t.subject, subject) && !filterCovers(subject, t.subject));
      if (clash) {
        findings.push(
          error(['spec', 'routes', index, 'from'], Codes.BAD_ROUTE_SOURCE, `captures ${JSON.stringify(subject)}, which meets ${JSON.stringify(clash.subject)} of spec.routes[${clash.index}] without either covering the other: one stream cannot capture both (nats-server refuses it); make one cover the other, or give them subjects that do not meet`),
        );
        break;
      }
    }
    for (const subject of subjects) taken.push({ index, subject });
  }
  return findings;
}

function sourceProblem(from: Raw): { field: string; message: string } | undefined {
  const mqtt = from['mqtt'];
  const mqttProblem = typeof mqtt === 'string' && mqtt !== '' ? mqttFilterProblem(mqtt) : undefined;
  if (mqttProblem !== undefined) return { field: 'mqtt', message: `MQTT topic filter ${JSON.stringify(mqtt)} cannot be routed: ${mqttProblem}` };
  const subject = from['subject'];
  const subjectProblem = typeof subject === 'string' && subject !== '' ? subjectFilterProblem(subject) : undefined;
  if (subjectProblem !== undefined) return { field: 'subject', message: `NATS subject ${JSON.stringify(subject)} cannot be routed: ${subjectProblem}` };
  return undefined;
}

function backoffRules(supervisor: unknown): Finding[] {
  if (!isRecord(supervisor) || !isRecord(supervisor['backoff'])) return [];
  const backoff = supervisor['backoff'];
  const withDefaults = Value.Default(BackoffSchema, structuredClone(backoff)) as Raw;
  const initialMs = withDefaults['initialMs'];
  const maxMs = withDefaults['maxMs'];
  if (typeof initialMs !== 'number' || typeof maxMs !== 'number') return [];
  if (initialMs <= maxMs) return [];
  return [
    error(
      ['spec', 'supervisor', 'backoff', backoff['maxMs'] === undefined ? 'initialMs' : 'maxMs'],
      Codes.BACKOFF_RANGE,
      `backoff initialMs (${initialMs}) is greater than maxMs (${maxMs})${backoff['maxMs'] === undefined || backoff['initialMs'] === undefined ? ' (counting the default)' : ''}: make initialMs <= maxMs`,
    ),
  ];
}
