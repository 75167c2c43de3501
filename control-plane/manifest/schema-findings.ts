import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ManifestDiagnosticCodes as Codes } from '../../protocols/index.ts';
import { NAME_PATTERN } from '../../protocols/index.ts';
import { applicationJsonSchema } from './application-json-schema.ts';
import { BIND_PATTERN, ENV_NAME_PATTERN, EXPORT_NAME_PATTERN } from './application-schema.ts';
import { didYouMean } from '../../protocols/index.ts';
import type { PathSegment } from './diagnostic.ts';
import { error } from './finding.ts';
import type { Finding } from './finding.ts';

/** What each pattern means, so a mismatch reads as a fix rather than a regular expression. */
const PATTERN_HINTS: Readonly<Record<string, string>> = {
  [NAME_PATTERN.source]: 'use 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit',
  [ENV_NAME_PATTERN]: 'use letters, digits and _, not starting with a digit',
  [EXPORT_NAME_PATTERN]: 'use a JavaScript identifier such as default or sensorActor',
  [BIND_PATTERN]: 'use host-path:container-path, optionally followed by :ro or :rw',
};

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  // allErrors: report every problem in one pass; verbose: errors carry the schema and the data,
  // which the messages below need (allowed keys, bad values).
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true }).compile(applicationJsonSchema());
  return validator;
}

/** Validates `data` against the application schema; one finding per problem, in schema order. */
export function schemaFindings(data: unknown): Finding[] {
  return findingsOf(compiled(), data, []);
}

const moduleValidators = new WeakMap<object, ValidateFunction>();

/**
 * Validates a module's `config` against the module's own schema (TypeBox, so JSON Schema); the
 * findings' paths start at `at` (e.g. spec.actors[2].config), their messages read like the
 * manifest's own.
 */
export function configFindings(schema: object, config: unknown, at: readonly PathSegment[]): Finding[] {
  let validate = moduleValidators.get(schema);
  if (!validate) {
    // strict: false, as a module's schema may carry keywords of its own (TypeBox adds some).
    validate = new Ajv({ allErrors: true, verbose: true, strict: false }).compile(schema);
    moduleValidators.set(schema, validate);
  }
  return findingsOf(validate, config, at);
}

function findingsOf(validate: ValidateFunction, data: unknown, prefix: readonly PathSegment[]): Finding[] {
  if (validate(data)) return [];
  const errors = withoutCombinatorNoise(validate.errors ?? []);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    const translated = translate(err, data);
    const finding = prefix.length === 0 ? translated : { ...translated, segments: [...prefix, ...translated.segments] };
    const key = `${finding.segments.join('\u0000')}|${finding.code}|${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  return findings;
}

/**
 * An anyOf/oneOf failure makes Ajv report every branch's errors plus the combinator's own. Keep
 * only the combinator's: one problem, one diagnostic. (The schema avoids anyOf today; this keeps
 * the promise if a later field needs one.)
 */
function withoutCombinatorNoise(errors: readonly ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  return errors.filter((e) => !combinators.some((prefix) => e.schemaPath.startsWith(prefix)));
}

function translate(err: ErrorObject, root: unknown): Finding {
  const at = pointerToSegments(err.instancePath, root);
  const value: unknown = err.data;
  const parentSchema = (err.parentSchema ?? {}) as Record<string, unknown>;
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      if (parentSchema['patternProperties'] !== undefined) {
        const pattern = Object.keys(parentSchema['patternProperties'] as object)[0] ?? '';
        return error([...at, key], Codes.INVALID_KEY, `key ${JSON.stringify(key)} is not valid: ${hintFor(pattern)}`);
      }
      const allowed = Object.keys((parentSchema['properties'] ?? {}) as object);
      return error(
        [...at, key],
        Codes.UNKNOWN_FIELD,
        `unknown field ${JSON.stringify(key)}${didYouMean(key, allowed)} (allowed here: ${allowed.join(', ')})`,
      );
    }
    case 'required': {
      const field = String(params['missingProperty']);
      return error([...at, field], Codes.MISSING_FIELD, `missing required field ${JSON.stringify(field)}`);
    }
    case 'type':
      return error(at, Codes.WRONG_TYPE, typeMessage(String(params['type']), value));
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      return error(
        at,
        Codes.NOT_ALLOWED,
        `${JSON.stringify(value)} is not one of ${allowed.join(', ')}${typeof value === 'string' ? didYouMean(value, allowed) : ''}`,
      );
    }
    case 'const':
      return error(at, Codes.NOT_ALLOWED, `${JSON.stringify(value)} is not supported: use ${JSON.stringify(params['allowedValue'])}`);
    case 'pattern':
      return error(at, Codes.BAD_FORMAT, `${JSON.stringify(value)} is not valid: ${hintFor(String(params['pattern']))}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return error(at, Codes.OUT_OF_RANGE, `${JSON.stringify(value)} is out of range: must be ${String(params['comparison'])} ${String(params['limit'])}`);
    case 'minLength':
      return error(at, Codes.OUT_OF_RANGE, params['limit'] === 1 ? 'must not be empty' : `must be at least ${String(params['limit'])} characters`);
    case 'maxLength':
      return error(at, Codes.OUT_OF_RANGE, `is ${String((value as string).length)} characters long: at most ${String(params['limit'])} allowed`);
    case 'minItems':
      return error(at, Codes.OUT_OF_RANGE, `must list at least ${String(params['limit'])} item${params['limit'] === 1 ? '' : 's'}`);
    case 'uniqueItems': {
      const [later, earlier] = [Number(params['i']), Number(params['j'])].sort((a, b) => b - a) as [number, number];
      const item = Array.isArray(value) ? (value as unknown[])[later] : undefined;
      return error([...at, later], Codes.NOT_ALLOWED, `${JSON.stringify(item)} is listed twice (also at [${earlier}]): list each once`);
    }
    case 'minProperties':
    case 'maxProperties': {
      const keys = Object.keys((parentSchema['properties'] ?? {}) as object);
      const present = value !== null && typeof value === 'object' ? Object.keys(value) : [];
      const got = present.length === 0 ? 'none' : present.join(' and ');
      return error(at, Codes.NOT_ALLOWED, `set exactly one of ${keys.join(', ')} (got ${got})`);
    }
    case 'anyOf':
    case 'oneOf':
      return error(at, Codes.NOT_ALLOWED, `${JSON.stringify(value)} does not match any allowed form${descriptionOf(parentSchema)}`);
    default:
      return error(at, Codes.BAD_FORMAT, `${JSON.stringify(value)} ${err.message ?? 'is not valid'}`);
  }
}

function hintFor(pattern: string): string {
  return PATTERN_HINTS[pattern] ?? `must match ${pattern}`;
}

function descriptionOf(schema: Record<string, unknown>): string {
  return typeof schema['description'] === 'string' ? ` (${schema['description']})` : '';
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
};

function typeMessage(expected: string, value: unknown): string {
  const want = expected
    .split(',')
    .map((t) => TYPE_WORDS[t] ?? t)
    .join(' or ');
  const base = `expected ${want}, got ${describe(value)}`;
  // YAML reads `8080` and `true` as scalars of their own type; the usual fix is quoting.
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `${base}: quote it, as "${String(value)}"`;
  }
  return base;
}

function describe(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' && !Number.isInteger(value)) return `the number ${value}`;
  return `${typeof value} ${String(value)}`;
}

/** JSON pointer → segments, with array indices as numbers (decided by walking the data). */
function pointerToSegments(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      const index = Number(token);
      segments.push(index);
      current = current[index];
    } else {
      segments.push(token);
      current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[token] : undefined;
    }
  }
  return segments;
}
