import type { ModuleDefinition } from '../kernel/index.ts';
import { BUILTIN_MODULES } from '../actors/index.ts';
import { isBuiltinModuleName, parseManifest } from './manifest/index.ts';
import type { ManifestResult } from './manifest/index.ts';
import { defaultImporter } from './load-behaviour.ts';
import type { ModuleImporter } from './load-behaviour.ts';
import { loadModule } from './load-module.ts';

/**
 * parseManifest, with third-party modules checked too: each `module:` that is a path or package is
 * imported (relative to `appDir`, as a site will) and its actors checked against it — its modes and
 * config schema, whose defaults fill their config. A module that cannot be imported, or exports no
 * module, is an error on the actors naming it (CAIRN_MANIFEST_MODULE_NOT_LOADED). Modules in `known`
 * (those a site's createActorSystem({ modules }) holds) are checked without importing. Never throws.
 */
export async function parseManifestWithModules(text: string, source: string | undefined, appDir: string, importer: ModuleImporter = defaultImporter, known: readonly ModuleDefinition[] = []): Promise<ManifestResult> {
  const registry = new Map<string, ModuleDefinition>([...BUILTIN_MODULES, ...known.map((m): [string, ModuleDefinition] => [m.name, m])]);
  const first = parseManifest(text, source, known.length === 0 ? {} : { modules: registry });
  if (!first.ok) return first;
  const names = [...new Set(first.app.spec.actors.flatMap((a) => (a.module !== undefined && !isBuiltinModuleName(a.module) && !registry.has(a.module) ? [a.module] : [])))];
  if (names.length === 0) return first;
  const modules = new Map<string, ModuleDefinition>(registry);
  const moduleErrors = new Map<string, string>();
  for (const name of names) {
    try {
      modules.set(name, await loadModule(name, appDir, importer));
    } catch (err) {
      moduleErrors.set(name, (err as Error).message);
    }
  }
  return parseManifest(text, source, { modules, moduleErrors });
}
