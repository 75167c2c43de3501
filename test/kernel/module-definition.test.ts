import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineActor, defineModule, isModuleDefinition } from '../../kernel/index.ts';
import { KernelCodes, isCairnError } from '../../protocols/index.ts';
import { BUILTIN_MODULES, TimerModule } from '../../actors/index.ts';

const Behaviour = defineActor({ name: 'b', receive: () => undefined });
const config = Type.Object({}, { additionalProperties: false });

function refusal(spec: Parameters<typeof defineModule>[0]): string {
  try {
    defineModule(spec);
  } catch (err) {
    expect(isCairnError(err, KernelCodes.INVALID_OPTION)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected defineModule to refuse the spec');
}

describe('defineModule', () => {
  it('defineModule - inline only without a source; every JavaScript mode with one', () => {
    expect(defineModule({ name: 'acme/a', description: 'a', config, behaviour: Behaviour }).modes).toEqual(['inline']);
    const withSource = defineModule({ name: 'acme/a', description: 'a', config, behaviour: Behaviour, source: { url: import.meta.url, export: 'B' } });
    expect(withSource.modes).toEqual(['inline', 'worker', 'process', 'container']);
    expect(isModuleDefinition(withSource)).toBe(true);
    expect(isModuleDefinition(Behaviour)).toBe(false);
  });

  it('defineModule - refuses a bad name, an empty description, and guest modes without a source, all at once', () => {
    const message = refusal({ name: 'Beacon', description: ' ', config, behaviour: Behaviour, modes: ['inline', 'worker'] });
    expect(message).toContain('name "Beacon" is not valid');
    expect(message).toContain('description is empty');
    expect(message).toContain('needs source');
  });

  it('defineModule - refuses a behaviour that is not a defineActor result', () => {
    expect(refusal({ name: 'acme/a', description: 'a', config, behaviour: { receive: () => undefined } as never })).toContain('behaviour is not a defineActor result');
  });

  it('built-in modules - each is registered under its own name, in the cairn scope', () => {
    for (const [name, module] of BUILTIN_MODULES) {
      expect(module.name).toBe(name);
      expect(name.startsWith('cairn/')).toBe(true);
    }
    expect(BUILTIN_MODULES.get('cairn/timer')).toBe(TimerModule);
  });
});
