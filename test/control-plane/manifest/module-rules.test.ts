import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { parseManifest } from '../../../control-plane/manifest/index.ts';
import { defineActor, defineModule } from '../../../kernel/index.ts';
import type { ModuleDefinition } from '../../../kernel/index.ts';
import { BUILTIN_MODULES } from '../../../actors/index.ts';
import { ManifestDiagnosticCodes as Codes } from '../../../protocols/errors/manifest-codes.ts';
import { errorsOf, parseObject, pathsAndCodes } from './manifest-fixtures.ts';

/** An application of the given actors. */
function app(...actors: Record<string, unknown>[]): Record<string, unknown> {
  return { apiVersion: 'cairn.dev/v1', kind: 'Application', metadata: { name: 'mods' }, spec: { actors } };
}

const timer = (config: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ id: 'clock', module: 'cairn/timer', config, ...extra });

/** A module that runs in every JavaScript mode (it has a source). */
const Echo = defineModule({
  name: 'acme/echo',
  description: 'replies with what it gets',
  config: Type.Object({ prefix: Type.String({ default: '>' }) }, { additionalProperties: false }),
  behaviour: defineActor({ name: 'echo', receive: (msg) => msg }),
  source: { url: 'file:///opt/acme/echo.js', export: 'Echo' },
});
const withEcho = new Map<string, ModuleDefinition>([...BUILTIN_MODULES, ['./echo.js', Echo as unknown as ModuleDefinition]]);

describe('module actors in manifests', () => {
  it('module rules - a built-in module actor is accepted and its config gets the schema defaults', () => {
    const result = parseObject(app(timer({ to: 'sink', message: { type: 'tick' } }), { id: 'sink', behaviour: { module: './sink.ts' } }));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.app.spec.actors[0]?.config).toEqual({ to: 'sink', message: { type: 'tick' }, everyMs: 1_000 });
  });

  it('module rules - every config problem is reported at its path under config, with the schema codes', () => {
    const errors = errorsOf(parseObject(app(timer({ message: { type: '' }, everyMs: 5, cout: 3 }))));
    expect(pathsAndCodes(errors).sort()).toEqual([
      `spec.actors[0].config.to ${Codes.MISSING_FIELD}`,
      `spec.actors[0].config.cout ${Codes.UNKNOWN_FIELD}`,
      `spec.actors[0].config.everyMs ${Codes.OUT_OF_RANGE}`,
      `spec.actors[0].config.message.type ${Codes.OUT_OF_RANGE}`,
    ].sort());
    expect(errors.find((e) => e.code === Codes.MISSING_FIELD)?.message).toBe('missing required field "to"');
    expect(errors.find((e) => e.code === Codes.UNKNOWN_FIELD)?.message).toContain('did you mean "count"');
  });

  it('module rules - an unknown built-in module is refused with the near miss and the list', () => {
    const [err] = errorsOf(parseObject(app({ id: 'clock', module: 'cairn/timr', config: {} })));
    expect(err).toMatchObject({ path: 'spec.actors[0].module', code: Codes.UNKNOWN_MODULE });
    expect(err?.message).toContain('did you mean "cairn/timer"');
  });

  it('module rules - a mode the module does not run in is refused at mode, or at module for the default', () => {
    const errors = errorsOf(parseObject(app(timer({ to: 'x', message: { type: 't' } }, { mode: 'worker' }))));
    expect(pathsAndCodes(errors)).toEqual([`spec.actors[0].mode ${Codes.MODULE_MODE_UNSUPPORTED}`]);
    expect(errors[0]?.message).toBe('module cairn/timer does not run in mode "worker": use "inline"');
  });

  it('module rules - an actor needs exactly one of behaviour and module', () => {
    expect(pathsAndCodes(errorsOf(parseObject(app({ id: 'a' }))))).toEqual([`spec.actors[0] ${Codes.BEHAVIOUR_OR_MODULE}`]);
    const both = { id: 'a', module: 'cairn/timer', behaviour: { module: './a.ts' }, config: { to: 'x', message: { type: 't' } } };
    expect(pathsAndCodes(errorsOf(parseObject(app(both))))).toEqual([`spec.actors[0].module ${Codes.BEHAVIOUR_OR_MODULE}`]);
  });

  it('module rules - a module in container mode needs no image, and may not name one', () => {
    const inContainer = { id: 'e', module: './echo.js', mode: 'container', container: { network: 'edge' } };
    const ok = parseManifest(stringify(app(inContainer)), undefined, { modules: withEcho });
    if (!ok.ok) throw new Error(JSON.stringify(ok.errors));
    expect(ok.app.spec.actors[0]?.config).toEqual({ prefix: '>' });
    const withImage = { ...inContainer, container: { image: 'acme/echo:1' } };
    const refused = parseManifest(stringify(app(withImage)), undefined, { modules: withEcho });
    expect(pathsAndCodes(errorsOf(refused))).toEqual([`spec.actors[0].container.image ${Codes.MODULE_CONTAINER_IMAGE}`]);
  });

  it('module rules - a third-party module is left to the site unless known, and reported when it failed to load', () => {
    const actor = { id: 'e', module: './echo.js', config: { prefix: 1 } };
    expect(parseObject(app(actor)).ok).toBe(true);
    const known = parseManifest(stringify(app(actor)), undefined, { modules: withEcho });
    expect(pathsAndCodes(errorsOf(known))).toEqual([`spec.actors[0].config.prefix ${Codes.WRONG_TYPE}`]);
    const failed = parseManifest(stringify(app(actor)), undefined, { moduleErrors: new Map([['./echo.js', 'cannot import module "./echo.js"']]) });
    expect(errorsOf(failed)).toEqual([expect.objectContaining({ path: 'spec.actors[0].module', code: Codes.MODULE_NOT_LOADED, message: 'cannot import module "./echo.js"' })]);
  });
});
