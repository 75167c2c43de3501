import { describe, expect, it } from 'vitest';
import { ManifestDiagnosticCodes as Codes } from '../../../protocols/errors/manifest-codes.ts';
import { errorsOf, parseObject, pathsAndCodes, validManifest } from './manifest-fixtures.ts';

describe('semantic rules', () => {
  it('semantic rules - rejects a duplicate actor id, pointing at the first use', () => {
    const data = validManifest();
    data.spec.actors.push({ id: 'ingest', behaviour: { module: './again.ts' } });
    const errors = errorsOf(parseObject(data));
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'spec.actors[2].id',
        code: Codes.DUPLICATE_ACTOR_ID,
        message: 'actor id "ingest" is already used by spec.actors[0]: give each actor its own id (use replicas for copies)',
      }),
    ]);
  });

  it('semantic rules - rejects a route to an undeclared actor and suggests the near miss', () => {
    const data = validManifest();
    data.spec.routes[0].to.actor = 'ingets';
    const err = errorsOf(parseObject(data)).find((e) => e.code === Codes.UNKNOWN_ROUTE_TARGET);
    expect(err).toMatchObject({ path: 'spec.routes[0].to.actor', code: Codes.UNKNOWN_ROUTE_TARGET });
    expect(err?.message).toBe('route target "ingets" is not an actor of this application; did you mean "ingest"? (actors: ingest, detector)');
  });

  it('semantic rules - rejects container mode with neither image nor build', () => {
    const data = validManifest();
    data.spec.actors[1].container = { network: 'edge' };
    const errors = errorsOf(parseObject(data));
    expect(pathsAndCodes(errors)).toEqual([`spec.actors[1].container ${Codes.CONTAINER_WITHOUT_IMAGE}`]);
    delete data.spec.actors[1].container;
    expect(pathsAndCodes(errorsOf(parseObject(data)))).toEqual([`spec.actors[1].container ${Codes.CONTAINER_WITHOUT_IMAGE}`]);
  });

  it('semantic rules - accepts container mode with a build instead of an image, defaulting the Dockerfile', () => {
    const data = validManifest();
    data.spec.actors[1].container = { build: { context: './detector' } };
    const result = parseObject(data);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.app.spec.actors[1]?.container?.build).toEqual({ context: './detector', dockerfile: 'Dockerfile' });
  });

  it('semantic rules - a pinned image (container.imageId) goes with an image, not with a build, and must be an image id', () => {
    const id = `sha256:${'ab'.repeat(32)}`;
    const data = validManifest();
    data.spec.actors[1].container = { image: 'det:1', imageId: id };
    expect(parseObject(data).ok).toBe(true);
    data.spec.actors[1].container = { imageId: id, build: { context: './detector' } };
    expect(pathsAndCodes(errorsOf(parseObject(data)))).toEqual([`spec.actors[1].container.imageId ${Codes.NOT_ALLOWED}`]);
    data.spec.actors[1].container = { imageId: 'det:1' };
    expect(pathsAndCodes(errorsOf(parseObject(data)))).toContain(`spec.actors[1].container.imageId ${Codes.BAD_FORMAT}`);
  });

  it('semantic rules - refuses container settings outside container mode', () => {
    const data = validManifest();
    data.spec.actors[0].container = { image: 'x' };
    data.spec.actors[0].mode = 'worker';
    expect(errorsOf(parseObject(data))).toEqual([
      expect.objectContaining({
        level: 'error',
        path: 'spec.actors[0].container',
        code: Codes.CONTAINER_SETTINGS_IGNORED,
        message: 'container settings apply in mode "container" only, and this actor\'s mode is "worker": set mode: container or remove them',
      }),
    ]);
  });

  it('semantic rules - says when the refusing mode is the default', () => {
    const data = validManifest();
    data.spec.actors[0].container = { image: 'x' };
    expect(errorsOf(parseObject(data))[0]?.message).toContain('mode is "inline" (the default)');
  });

  it('semantic rules - warns that replicas are ignored with spread one-per-site', () => {
    const data = validManifest();
    Object.assign(data.spec.actors[0], { replicas: 3, placement: { spread: 'one-per-site' } });
    const result = parseObject(data);
    expect(result.ok).toBe(true);
    expect(pathsAndCodes(result.warnings)).toEqual([`spec.actors[0].replicas ${Codes.REPLICAS_IGNORED}`]);
  });

  it('semantic rules - warns that one-per-node has no effect with a single replica', () => {
    const data = validManifest();
    data.spec.actors[0].placement = { spread: 'one-per-node' };
    expect(pathsAndCodes(parseObject(data).warnings)).toEqual([`spec.actors[0].placement.spread ${Codes.SPREAD_WITHOUT_EFFECT}`]);
    data.spec.actors[0].replicas = 3;
    expect(parseObject(data).warnings).toEqual([]);
  });

  it('semantic rules - rejects malformed MQTT topic filters and NATS subjects', () => {
    const data = validManifest();
    data.spec.routes = [
      { from: { mqtt: 'sensors/#/temp' }, to: { actor: 'ingest' } },
      { from: { mqtt: 'sensors/a+/temp' }, to: { actor: 'ingest' } },
      { from: { subject: 'sensors..temp' }, to: { actor: 'ingest' } },
      { from: { subject: 'sensors.>.temp' }, to: { actor: 'ingest' } },
      { from: { subject: 'sensors.a*' }, to: { actor: 'ingest' } },
      { from: { mqtt: 'sensors/+/temp/#' }, to: { actor: 'ingest' } },
      { from: { subject: 'sensors.*.temp.>' }, to: { actor: 'ingest' } },
    ];
    const errors = errorsOf(parseObject(data));
    expect(pathsAndCodes(errors)).toEqual([
      `spec.routes[0].from.mqtt ${Codes.BAD_ROUTE_SOURCE}`,
      `spec.routes[1].from.mqtt ${Codes.BAD_ROUTE_SOURCE}`,
      `spec.routes[2].from.subject ${Codes.BAD_ROUTE_SOURCE}`,
      `spec.routes[3].from.subject ${Codes.BAD_ROUTE_SOURCE}`,
      `spec.routes[4].from.subject ${Codes.BAD_ROUTE_SOURCE}`,
    ]);
  });

  it('semantic rules - routes whose subjects meet without one covering the other are refused (one stream cannot capture both); covering ones are fine', () => {
    const data = validManifest();
    data.spec.routes = [
      { from: { subject: 'plant.devices.>' }, to: { actor: 'ingest' } },
      { from: { mqtt: 'plant/+/status' }, to: { actor: 'ingest' } },
      { from: { subject: 'plant.>' }, to: { actor: 'detector' } },
      { from: { subject: 'plant.devices.x' }, to: { actor: 'detector' } },
    ];
    const errors = errorsOf(parseObject(data));
    expect(pathsAndCodes(errors)).toEqual([`spec.routes[1].from ${Codes.BAD_ROUTE_SOURCE}`]);
    expect(errors[0]!.message).toMatch(/"plant\.\*\.status", which meets "plant\.devices\.>" of spec\.routes\[0\]/);
  });

  it('semantic rules - warns about a route listed twice', () => {
    const data = validManifest();
    data.spec.routes.push({ from: { mqtt: 'sensors/+/temp' }, to: { actor: 'ingest' } });
    data.spec.routes.push({ from: { mqtt: 'sensors/+/temp' }, to: { actor: 'detector' } });
    const result = parseObject(data);
    expect(result.ok).toBe(true);
    expect(pathsAndCodes(result.warnings)).toEqual([`spec.routes[1] ${Codes.DUPLICATE_ROUTE}`]);
  });

  it('semantic rules - rejects a backoff that starts above its cap, counting defaults', () => {
    const data = validManifest();
    data.spec.supervisor = { backoff: { initialMs: 5000, maxMs: 1000 } };
    expect(errorsOf(parseObject(data))).toEqual([
      expect.objectContaining({ path: 'spec.supervisor.backoff.maxMs', code: Codes.BACKOFF_RANGE }),
    ]);
    data.spec.supervisor = { backoff: { maxMs: 50 } };
    const [err] = errorsOf(parseObject(data));
    expect(err?.message).toBe('backoff initialMs (100) is greater than maxMs (50) (counting the default): make initialMs <= maxMs');
  });

  it('semantic rules - run alongside schema errors so one pass reports everything', () => {
    const data = validManifest();
    data.spec.actors[0].mode = 'lambda';
    data.spec.actors[1].id = 'ingest';
    data.spec.routes[0].to.actor = 'ghost';
    const errors = errorsOf(parseObject(data));
    expect(pathsAndCodes(errors).sort()).toEqual(
      [
        `spec.actors[0].mode ${Codes.NOT_ALLOWED}`,
        `spec.actors[1].id ${Codes.DUPLICATE_ACTOR_ID}`,
        `spec.routes[0].to.actor ${Codes.UNKNOWN_ROUTE_TARGET}`,
      ].sort(),
    );
  });

  it('semantic rules - are not confused by values of the wrong type', () => {
    const data = validManifest();
    data.spec.actors = [42, { id: 7 }, null];
    data.spec.routes = 'everything';
    const errors = errorsOf(parseObject(data));
    expect(errors.every((d) => d.code !== Codes.DUPLICATE_ACTOR_ID)).toBe(true);
    expect(pathsAndCodes(errors)).toContain(`spec.routes ${Codes.WRONG_TYPE}`);
  });
});
