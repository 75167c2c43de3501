import { describe, expect, it } from 'vitest';
import { defineActor } from '../../kernel/index.ts';
import { pickDefinition } from '../../kernel/guest/serve-guest.ts';
import { KernelCodes } from '../../protocols/index.ts';

const Greeter = defineActor<{ type: 'hi' }>({ name: 'greeter', receive: () => 'hi' });

describe('a guest picks its actor definition', () => {
  it('pickDefinition - takes the defineActor result under the export name', () => {
    expect(pickDefinition({ default: Greeter }, 'default', 'greeter.js')).toBe(Greeter);
  });

  it('pickDefinition - a factory export is refused with what to export instead', () => {
    const factory = (): typeof Greeter => Greeter;
    expect(() => pickDefinition({ default: factory }, 'default', 'greeter.js')).toThrow(expect.objectContaining({ code: KernelCodes.GUEST_START_FAILED, message: expect.stringMatching(/exports "default" as a function \(a behaviour factory\), which only inline mode calls; .*export the defineActor result itself and read the manifest's config from ctx\.config/) }));
  });

  it('pickDefinition - a missing export names the ones there are', () => {
    expect(() => pickDefinition({ other: Greeter }, 'default', 'greeter.js')).toThrow(/has no actor definition export "default" \(exports: other\)/);
  });
});
