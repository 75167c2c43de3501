import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { ModuleDefinition } from '../kernel/index.ts';
import { BUILTIN_MODULES } from '../actors/index.ts';
import { isBuiltinModuleName, parseManifest } from './manifest/index.ts';
import type { Application, ManifestResult } from './manifest/index.ts';
import { defaultImporter } from './load-behaviour.ts';
import type { ModuleImporter } from './load-behaviour.ts';
import { loadModule } from './load-module.ts';
import { importSpecifier, resolveModulePath } from './resolve-runtime.ts';
import { missingBehaviourFiles } from './artifacts/index.ts';

/**
 * parseManifest, with third-party modules checked too: each `module:` that is a path or package is
 * imported (relative to `appDir`, as a site will) and its actors checked against it — its modes and
 * config schema, whose defaults fill their config. A module that cannot be imported, or exports no
 * module, is an error on the actors naming it (CAIRN_MANIFEST_MODULE_NOT_LOADED). Modules in `known`
 * (those a site's createActorSystem({ modules }) holds) are checked without importing.
 *
 * A behaviour of a worker, process or container actor whose file is here is imported too: an
 * export that is a factory (which only inline mode calls) is an error at its `behaviour.export`
 * (CAIRN_MANIFEST_BEHAVIOUR_EXPORT_NOT_FOR_MODE) that names the fix, rather than a failed start on
 * every site. A behaviour whose module is a local path that does not exist (relative to `appDir`,
 * the manifest's folder) is an error at its `behaviour.module`
 * (CAIRN_MANIFEST_BEHAVIOUR_FILE_NOT_FOUND): `cairn apply` delivers that file. Never throws.
 */
export async function parseManifestWithModules(text: string, source: string | undefined, appDir: string, importer: ModuleImporter = defaultImporter, known: readonly ModuleDefinition[] = []): Promise<ManifestResult> {
  const registry = new Map<string, ModuleDefinition>([...BUILTIN_MODULES, ...known.map((m): [string, ModuleDefinition] => [m.name, m])]);
  const first = parseManifest(text, source, known.length === 0 ? {} : { modules: registry });
  if (!first.ok) return first;
  const names = [...new Set(first.app.spec.actors.flatMap((a) => (a.module !== undefined && !isBuiltinModuleName(a.module) && !registry.has(a.module) ? [a.module] : [])))];
  const modules = new Map<string, ModuleDefinition>(registry);
  const moduleErrors = new Map<string, string>();
  for (const name of names) {
    try {
      modules.set(name, await loadModule(name, appDir, importer));
    } catch (err) {
      moduleErrors.set(name, (err as Error).message);
    }
  }
  const exportErrors = await behaviourExportErrors(first.app, appDir, importer);
  const fileProblems = missingBehaviourFiles(first.app, appDir);
  if (names.length === 0 && exportErrors.size === 0 && fileProblems.length === 0) return first;
  return parseManifest(text, source, { modules, moduleErrors, exportErrors, fileProblems });
}

/** By actor index, why a guest-mode actor's behaviour export cannot run in its mode (only what can be imported here is checked). */
async function behaviourExportErrors(app: Application, appDir: string, importer: ModuleImporter): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const [i, actor] of app.spec.actors.entries()) {
    if (!actor.behaviour || actor.mode === 'inline') continue;
    const { module, export: name } = actor.behaviour;
    const resolved = resolveModulePath(module, appDir);
    if (!isAbsolute(resolved) || !existsSync(resolved)) continue;
    let exported: unknown;
    try {
      exported = ((await importer(importSpecifier(resolved))) as Record<string, unknown>)[name];
    } catch {
      continue; // the sites report what they cannot import, with their own paths
    }
    if (typeof exported === 'function') {
      out.set(i, `export "${name}" of ${module} is a factory function, which only inline mode calls; for mode ${actor.mode} export the defineActor result itself (it reads the manifest's config from ctx.config), or run the actor in mode inline`);
    }
  }
  return out;
}
