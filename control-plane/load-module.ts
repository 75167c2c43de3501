import { isModuleDefinition } from '../kernel/index.ts';
import { sourceFile } from '../kernel/runtimes/index.ts';
import type { ModuleDefinition } from '../kernel/index.ts';
import { BUILTIN_MODULES } from '../actors/index.ts';
import { CairnError, DeployCodes } from '../protocols/index.ts';
import { isBuiltinModuleName } from './manifest/index.ts';
import type { ModuleRegistry } from './manifest/index.ts';
import type { ModuleImporter } from './load-behaviour.ts';
import { importSpecifier, resolveModulePath } from './resolve-runtime.ts';

/**
 * The module an actor names: one the registry holds (Cairn's built-in ones, and those given to
 * createActorSystem({ modules })), else the defineModule result a path (relative to `appDir`) or
 * package exports, as `default` or under any other name.
 */
export async function loadModule(name: string, appDir: string, importer: ModuleImporter, registry: ModuleRegistry = BUILTIN_MODULES): Promise<ModuleDefinition> {
  const known = registry.get(name);
  if (known) return known;
  if (isBuiltinModuleName(name)) {
    throw new CairnError(DeployCodes.APP_MODULE_NOT_FOUND, `there is no built-in module ${JSON.stringify(name)} (built-in: ${[...registry.keys()].join(', ')})`, { details: { module: name } });
  }
  const resolved = resolveModulePath(name, appDir);
  let exports: Record<string, unknown>;
  try {
    exports = await importer(importSpecifier(resolved));
  } catch (cause) {
    throw new CairnError(DeployCodes.APP_MODULE_NOT_FOUND, `cannot import module ${JSON.stringify(name)} (resolved to ${resolved}): ${(cause as Error).message}; check the path (relative to the manifest) or that the package is installed`, { cause, details: { module: name, resolved } });
  }
  const found = isModuleDefinition(exports['default']) ? exports['default'] : Object.values(exports).find(isModuleDefinition);
  if (!found) {
    throw new CairnError(DeployCodes.APP_MODULE_INVALID, `${resolved} exports no module (a defineModule result from 'cairn/module'); its exports: ${Object.keys(exports).join(', ') || 'none'}`, { details: { module: name, resolved } });
  }
  return found;
}

/** Where a guest imports a module's behaviour from: its source file and export; undefined for an inline-only module. */
export function moduleCode(module: ModuleDefinition): { readonly module: string; readonly export: string } | undefined {
  if (!module.source) return undefined;
  return { module: sourceFile(module.source.url), export: module.source.export };
}
