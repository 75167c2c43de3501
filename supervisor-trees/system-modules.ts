import type { ModuleDefinition } from '../kernel/index.ts';
import { CairnError, KernelCodes } from '../protocols/index.ts';

/** Module names Cairn keeps for its built-in modules (actors/). */
export const BUILTIN_MODULE_PREFIX = 'cairn/';

/**
 * The modules a system knows besides Cairn's built-in ones, by name (createActorSystem's `modules`):
 * its app controller finds a manifest's `module:` among them before it imports anything. A name
 * given twice, or one under `cairn/`, is a coded error.
 */
export function moduleRegistry(modules: readonly ModuleDefinition[]): ReadonlyMap<string, ModuleDefinition> {
  const byName = new Map<string, ModuleDefinition>();
  for (const m of modules) {
    if (m.name.startsWith(BUILTIN_MODULE_PREFIX)) {
      throw new CairnError(KernelCodes.INVALID_OPTION, `module name ${JSON.stringify(m.name)} is kept for Cairn's built-in modules; name yours after your organisation, e.g. "acme/${m.name.slice(BUILTIN_MODULE_PREFIX.length)}"`, { details: { module: m.name } });
    }
    if (byName.has(m.name)) throw new CairnError(KernelCodes.INVALID_OPTION, `modules lists ${JSON.stringify(m.name)} more than once; give each module once`, { details: { module: m.name } });
    byName.set(m.name, m);
  }
  return byName;
}
