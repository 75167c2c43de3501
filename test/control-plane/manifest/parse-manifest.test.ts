import { describe, expect, it } from 'vitest';
import { ManifestDiagnosticCodes as Codes } from '../../../protocols/errors/manifest-codes.ts';
import { parseManifest } from '../../../control-plane/manifest/index.ts';
import { errorsOf, parseObject, pathsAndCodes, validManifest } from './manifest-fixtures.ts';

describe('parseManifest', () => {
  it('parseManifest - accepts a valid manifest with no warnings', () => {
    const result = parseObject(validManifest());
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('parseManifest - reports five different mistakes as five errors with exact paths', () => {
    const text = `apiVersion: cairn.dev/v1
kind: Application
metadata:
  name: "bad name"
spec:
  actors:
    - id: ingest
      behaviour: { module: ./ingest.ts }
      restart: sometimes
      replicas: 0
    - id: ingest
      behaviour: { module: ./other.ts }
  routes:
    - from: { mqtt: sensors/# }
      to: { actor: nowhere }
`;
    const errors = errorsOf(parseManifest(text));
    expect(pathsAndCodes(errors)).toEqual([
      `metadata.name ${Codes.BAD_FORMAT}`,
      `spec.actors[0].restart ${Codes.NOT_ALLOWED}`,
      `spec.actors[0].replicas ${Codes.OUT_OF_RANGE}`,
      `spec.actors[1].id ${Codes.DUPLICATE_ACTOR_ID}`,
      `spec.routes[0].to.actor ${Codes.UNKNOWN_ROUTE_TARGET}`,
    ]);
    expect(errors.map((d) => d.line)).toEqual([4, 9, 10, 11, 15]);
  });

  it('parseManifest - names the bad value and the allowed values for an enum', () => {
    const data = validManifest();
    data.spec.actors[0].restart = 'sometimes';
    const [err] = errorsOf(parseObject(data));
    expect(err?.message).toBe('"sometimes" is not one of permanent, transient, temporary');
  });

  it('parseManifest - rejects unknown fields at every depth, suggesting the near miss', () => {
    const data = validManifest();
    data.colour = 'blue';
    data.metadata.lables = { a: 'b' };
    data.spec.actors[0].replica = 2;
    data.spec.actors[1].container.imagePullPolicy = 'always';
    data.spec.routes[0].to.queue = 'q';
    const errors = errorsOf(parseObject(data));
    expect(pathsAndCodes(errors).sort()).toEqual(
      [
        `colour ${Codes.UNKNOWN_FIELD}`,
        `metadata.lables ${Codes.UNKNOWN_FIELD}`,
        `spec.actors[0].replica ${Codes.UNKNOWN_FIELD}`,
        `spec.actors[1].container.imagePullPolicy ${Codes.UNKNOWN_FIELD}`,
        `spec.routes[0].to.queue ${Codes.UNKNOWN_FIELD}`,
      ].sort(),
    );
    const replica = errors.find((d) => d.path === 'spec.actors[0].replica');
    expect(replica?.message).toContain('did you mean "replicas"?');
    expect(errors.find((d) => d.path === 'metadata.lables')?.message).toContain('did you mean "labels"?');
  });

  it('parseManifest - reports a YAML syntax error with its line and column', () => {
    const text = 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: x\nspec: {}\n';
    const errors = errorsOf(parseManifest(text, 'app.yaml'));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((d) => d.code === Codes.YAML_SYNTAX)).toBe(true);
    expect(errors[0]?.line).toBeTypeOf('number');
    expect(errors[0]?.message).toMatch(/^YAML syntax error at app\.yaml:line \d+, column \d+: /);
  });

  it('parseManifest - reports a nested mapping on one line at that line', () => {
    const text = 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: name: x\n';
    const [err] = errorsOf(parseManifest(text));
    expect(err?.code).toBe(Codes.YAML_SYNTAX);
    expect(err?.line).toBe(3);
  });

  it('parseManifest - reports a duplicate YAML key as a syntax error', () => {
    const text = 'apiVersion: cairn.dev/v1\nkind: Application\nkind: Application\n';
    const errors = errorsOf(parseManifest(text));
    expect(errors.some((d) => d.code === Codes.YAML_SYNTAX && d.line === 3 && /unique/i.test(d.message))).toBe(true);
  });

  it('parseManifest - rejects several YAML documents, naming where the second starts', () => {
    const one = 'apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: a }\nspec: { actors: [ { id: a, behaviour: { module: m } } ] }\n';
    const errors = errorsOf(parseManifest(`${one}---\n${one}`));
    expect(pathsAndCodes(errors)).toEqual([` ${Codes.MULTIPLE_DOCUMENTS}`]);
    expect(errors[0]?.line).toBe(5);
    expect(errors[0]?.message).toContain('found 2 YAML documents');
  });

  it('parseManifest - ignores an empty trailing document', () => {
    const text = '---\napiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: a }\nspec: { actors: [ { id: a, behaviour: { module: m } } ] }\n---\n';
    expect(parseManifest(text).ok).toBe(true);
  });

  it('parseManifest - rejects an empty file with a hint of how to start', () => {
    const errors = errorsOf(parseManifest('# nothing here\n'));
    expect(pathsAndCodes(errors)).toEqual([` ${Codes.EMPTY}`]);
    expect(errors[0]?.message).toContain('apiVersion: cairn.dev/v1');
  });

  it('parseManifest - rejects a document that is not a mapping', () => {
    const errors = errorsOf(parseManifest('- just\n- a list\n'));
    expect(errors).toEqual([
      expect.objectContaining({ path: '', code: Codes.WRONG_TYPE, message: 'expected a mapping, got a list' }),
    ]);
  });

  it('parseManifest - reports missing required fields by the path of the missing field', () => {
    const data = validManifest();
    delete data.kind;
    delete data.spec.actors[0].behaviour.module;
    const errors = errorsOf(parseObject(data));
    expect(pathsAndCodes(errors).sort()).toEqual([`kind ${Codes.MISSING_FIELD}`, `spec.actors[0].behaviour.module ${Codes.MISSING_FIELD}`]);
  });

  it('parseManifest - rejects another apiVersion and says which one to use', () => {
    const data = validManifest();
    data.apiVersion = 'cairn.dev/v2';
    const [err] = errorsOf(parseObject(data));
    expect(err).toMatchObject({ path: 'apiVersion', code: Codes.NOT_ALLOWED, message: '"cairn.dev/v2" is not supported: use "cairn.dev/v1"' });
  });

  it('parseManifest - asks to quote env values YAML reads as numbers or booleans', () => {
    const text = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: a }
spec:
  actors:
    - id: a
      behaviour: { module: m }
      mode: process
      env:
        PORT: 8080
        DEBUG: true
`;
    const errors = errorsOf(parseManifest(text));
    expect(errors.map((d) => [d.path, d.message])).toEqual([
      ['spec.actors[0].env.PORT', 'expected a string, got number 8080: quote it, as "8080"'],
      ['spec.actors[0].env.DEBUG', 'expected a string, got boolean true: quote it, as "true"'],
    ]);
  });

  it('parseManifest - rejects names that are not NATS-token-safe wherever names appear', () => {
    const data = validManifest();
    data.metadata.labels = { 'team.name': 'x' };
    data.spec.actors[0].id = 'in.gest';
    data.spec.actors[1].placement = { sites: ['edge 1'], nodeSelector: { '>': 'x' } };
    data.spec.routes[0].to.actor = 'in.gest';
    const errors = errorsOf(parseObject(data));
    expect(pathsAndCodes(errors).sort()).toEqual(
      [
        `metadata.labels["team.name"] ${Codes.INVALID_KEY}`,
        `spec.actors[0].id ${Codes.BAD_FORMAT}`,
        `spec.actors[1].placement.sites[0] ${Codes.BAD_FORMAT}`,
        `spec.actors[1].placement.nodeSelector[">"] ${Codes.INVALID_KEY}`,
        `spec.routes[0].to.actor ${Codes.BAD_FORMAT}`,
      ].sort(),
    );
    expect(errors.find((d) => d.path === 'spec.actors[0].id')?.message).toBe(
      '"in.gest" is not valid: use 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit',
    );
  });

  it('parseManifest - requires exactly one route source', () => {
    const data = validManifest();
    data.spec.routes = [
      { from: { mqtt: 'a/b', subject: 'a.b' }, to: { actor: 'ingest' } },
      { from: {}, to: { actor: 'ingest' } },
    ];
    const errors = errorsOf(parseObject(data));
    expect(errors.map((d) => [d.path, d.message])).toEqual([
      ['spec.routes[0].from', 'set exactly one of mqtt, subject (got mqtt and subject)'],
      ['spec.routes[1].from', 'set exactly one of mqtt, subject (got none)'],
    ]);
  });

  it('parseManifest - reports a repeated site once, at the repeat', () => {
    const data = validManifest();
    data.spec.actors[0].placement = { sites: ['a', 'b', 'a'] };
    const errors = errorsOf(parseObject(data));
    expect(errors.map((d) => [d.path, d.message])).toEqual([['spec.actors[0].placement.sites[2]', '"a" is listed twice (also at [0]): list each once']]);
  });

  it('parseManifest - checks number kinds and ranges', () => {
    const data = validManifest();
    Object.assign(data.spec.actors[0], { replicas: 1.5, shutdownMs: -1, resources: { cpu: 0, memoryMb: 'lots' } });
    const errors = errorsOf(parseObject(data));
    expect(errors.map((d) => [d.path, d.message])).toEqual([
      ['spec.actors[0].replicas', 'expected a whole number, got the number 1.5'],
      ['spec.actors[0].shutdownMs', '-1 is out of range: must be >= 0'],
      ['spec.actors[0].resources.cpu', '0 is out of range: must be > 0'],
      ['spec.actors[0].resources.memoryMb', 'expected a whole number, got the string "lots"'],
    ]);
  });

  it('parseManifest - gives one diagnostic per problem', () => {
    const data = validManifest();
    data.spec.actors[0].mode = 'lambda';
    data.spec.actors[0].behaviour = 'not-an-object';
    const errors = errorsOf(parseObject(data));
    expect(pathsAndCodes(errors)).toEqual([`spec.actors[0].behaviour ${Codes.WRONG_TYPE}`, `spec.actors[0].mode ${Codes.NOT_ALLOWED}`]);
  });

  it('parseManifest - sorts diagnostics by their position in the text', () => {
    const text = `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: a }
spec:
  actors:
    - id: a
      behaviour: { module: m }
      mode: lambda
  routes:
    - from: { subject: x }
      to: { actor: b }
`;
    const errors = errorsOf(parseManifest(text));
    expect(errors.map((d) => `${d.line}:${d.column} ${d.path}`)).toEqual(['8:13 spec.actors[0].mode', '11:20 spec.routes[0].to.actor']);
  });
});
