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

describe('program actors in manifests', () => {
  const program = (extra: Record<string, unknown> = {}) => ({ id: 'py', program: { command: ['python3', 'counter.py'], dir: './py' }, mode: 'process', ...extra });

  it('program rules - a program in process or container mode is accepted as written', () => {
    for (const mode of ['process', 'container']) {
      const result = parseObject(app(program({ mode })));
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect(result.app.spec.actors[0]).toMatchObject({ mode, program: { command: ['python3', 'counter.py'], dir: './py' } });
    }
  });

  it('program rules - a program inline or in a worker is refused at mode, the default included', () => {
    expect(pathsAndCodes(errorsOf(parseObject(app(program({ mode: 'worker' })))))).toEqual([`spec.actors[0].mode ${Codes.SETTING_NOT_FOR_MODE}`]);
    const { mode: _, ...noMode } = program();
    const errors = errorsOf(parseObject(app(noMode)));
    expect(pathsAndCodes(errors)).toEqual([`spec.actors[0].mode ${Codes.SETTING_NOT_FOR_MODE}`]);
    expect(errors[0]!.message).toContain('(the default)');
  });

  it('program rules - an actor with a program and a behaviour, or a module, is refused naming both', () => {
    const both = errorsOf(parseObject(app(program({ behaviour: { module: './a.ts' } }))));
    expect(pathsAndCodes(both)).toEqual([`spec.actors[0].program ${Codes.BEHAVIOUR_OR_MODULE}`]);
    expect(both[0]!.message).toContain('behaviour and program');
    expect(pathsAndCodes(errorsOf(parseObject(app(program({ module: 'cairn/timer' })))))).toEqual([`spec.actors[0].program ${Codes.BEHAVIOUR_OR_MODULE}`]);
  });

  it('program rules - an empty command, an unknown program field and an actor with none of the three are each reported', () => {
    expect(pathsAndCodes(errorsOf(parseObject(app({ id: 'py', mode: 'process', program: { command: [] } }))))).toEqual([`spec.actors[0].program.command ${Codes.OUT_OF_RANGE}`]);
    expect(pathsAndCodes(errorsOf(parseObject(app({ id: 'py', mode: 'process', program: { command: ['x'], cwd: '.' } }))))).toEqual([`spec.actors[0].program.cwd ${Codes.UNKNOWN_FIELD}`]);
    const none = errorsOf(parseObject(app({ id: 'py', mode: 'process' })));
    expect(pathsAndCodes(none)).toEqual([`spec.actors[0] ${Codes.BEHAVIOUR_OR_MODULE}`]);
    expect(none[0]!.message).toContain('program');
  });

  it('program rules - a container program needs no image (it runs in the base image with the host runtimes)', () => {
    expect(parseObject(app(program({ mode: 'container', container: { network: 'host' } }))).ok).toBe(true);
  });
});
