import { Value } from '@sinclair/typebox/value';
import { defineRemoteActor } from '../kernel/index.ts';
import { importModule } from '../kernel/runtimes/index.ts';
import type { ActorDefinition, ModuleDefinition } from '../kernel/index.ts';
import type { Actor, ModuleRegistry } from './manifest/index.ts';
import { BUILTIN_MODULES } from '../actors/index.ts';
import { CairnError, DeployCodes } from '../protocols/index.ts';
import { codeOf, importSpecifier, resolveModulePath } from './resolve-runtime.ts';
import type { ActorCode } from './resolve-runtime.ts';
import { loadModule, moduleCode } from './load-module.ts';
import { moduleConfigFindings } from './manifest/index.ts';

/** What a behaviour factory is given: the actor's `config` and where it runs. */
export interface BehaviourContext {
  readonly app: string;
  readonly actor: string;
  readonly site: string;
}

/**
 * A behaviour module may export a definition, or a factory `(config, context) => definition`
 * (inline mode only), which is how an inline actor receives its manifest `config`.
 */
export type BehaviourFactory = (config: Readonly<Record<string, unknown>>, context: BehaviourContext) => ActorDefinition<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Imports a module by specifier; injectable for tests. */
export type ModuleImporter = (specifier: string) => Promise<Record<string, unknown>>;

/** Imports the module in this process; TypeScript is bundled to JavaScript first (no loader needed). */
export const defaultImporter: ModuleImporter = (specifier) => importModule(specifier);

/**
 * The actor definition the supervisor gets for one manifest actor. inline/worker: imported from
 * `behaviour.module` (resolved against `appDir`) and `behaviour.export`; process/container: a
 * remote definition (the code runs in the guest, the node only needs the policies). The manifest's
 * `persist: true`, `mailbox.maxAttempts` and `mailbox.capacity` apply on top of the definition.
 */
export async function loadBehaviour(actor: Actor, context: BehaviourContext, appDir: string, importer: ModuleImporter = defaultImporter): Promise<ActorDefinition<any, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const base = actor.mode === 'process' || actor.mode === 'container' ? defineRemoteActor({ name: actor.id }) : await importDefinition(actor, context, appDir, importer);
  return withManifestPolicies(base, actor);
}

/** What the node needs to run a manifest actor: the definition (policies; the handler for inline) and where guests import its code. */
export interface LoadedActor {
  readonly definition: ActorDefinition<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly code: ActorCode;
  /** ctx.config: the manifest's, with a module's schema defaults filled in. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The module it runs, when it names one. */
  readonly module?: ModuleDefinition;
}

/**
 * Loads a manifest actor: a behaviour (loadBehaviour), or a module (loadModule: its behaviour,
 * and its source for guests). A third-party module's config is checked against its schema here
 * too (the applying machine checked it already; this node may have another version installed).
 */
export async function loadActor(actor: Actor, context: BehaviourContext, appDir: string, importer: ModuleImporter = defaultImporter, modules: ModuleRegistry = BUILTIN_MODULES): Promise<LoadedActor> {
  if (actor.module === undefined) return { definition: await loadBehaviour(actor, context, appDir, importer), code: codeOf(actor, appDir), config: actor.config ?? {} };
  const module = await loadModule(actor.module, appDir, importer, modules);
  const problems = moduleConfigFindings(module, actor as unknown as Record<string, unknown>, 0);
  if (problems.length > 0) {
    throw new CairnError(DeployCodes.APP_MODULE_INVALID, `actor "${actor.id}" of application "${context.app}": module ${module.name} refuses it on site ${context.site}: ${problems.map((p) => `${p.segments.slice(3).join('.') || 'actor'}: ${p.message}`).join('; ')}`, { details: { app: context.app, actor: actor.id, module: module.name } });
  }
  return { definition: withManifestPolicies(module.behaviour, actor), code: moduleCode(module), config: Value.Default(module.config, structuredClone(actor.config ?? {})) as Record<string, unknown>, module };
}

/** The manifest's `persist: true`, `mailbox.maxAttempts` and `mailbox.capacity` (when written) on top of a definition. */
function withManifestPolicies(base: ActorDefinition<any, any>, actor: Actor): ActorDefinition<any, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const { maxAttempts, capacity } = actor.mailbox;
  return {
    ...base,
    persist: base.persist || actor.persist,
    ...(maxAttempts === undefined ? {} : { retry: { ...base.retry, maxAttempts } }),
    ...(capacity === undefined ? {} : { mailbox: { ...base.mailbox, capacity } }),
  };
}

async function importDefinition(actor: Actor, context: BehaviourContext, appDir: string, importer: ModuleImporter): Promise<ActorDefinition<any, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!actor.behaviour) throw new CairnError(DeployCodes.APP_BEHAVIOUR_NOT_FOUND, `actor "${actor.id}" has no behaviour (it names module ${actor.module ?? '?'}): load it with loadActor`);
  const { module, export: name } = actor.behaviour;
  const resolved = resolveModulePath(module, appDir);
  let mod: Record<string, unknown>;
  try {
    mod = await importer(importSpecifier(resolved));
  } catch (cause) {
    throw new CairnError(
      DeployCodes.APP_BEHAVIOUR_NOT_FOUND,
      `actor "${actor.id}" of application "${context.app}": cannot import behaviour.module "${module}" (resolved to ${resolved}) on site ${context.site}: ${(cause as Error).message}; check the path, and that the controller's appDir is the manifest's directory`,
      { cause, details: { app: context.app, actor: actor.id, module, resolved } },
    );
  }
  const exported = mod[name];
  if (isDefinition(exported)) return exported;
  if (typeof exported === 'function' && actor.mode === 'inline') {
    const made: unknown = (exported as BehaviourFactory)(actor.config, context);
    if (isDefinition(made)) return made;
    throw invalid(actor, context, module, name, `its factory returned ${describe(made)}, not a defineActor result`);
  }
  const why =
    exported === undefined
      ? `it has no export "${name}" (exports: ${Object.keys(mod).join(', ') || 'none'})`
      : typeof exported === 'function'
        ? `export "${name}" is a factory, which only inline mode can call; export the defineActor result for mode ${actor.mode}`
        : `export "${name}" is ${describe(exported)}, not a defineActor result`;
  throw invalid(actor, context, module, name, why);
}

function isDefinition(v: unknown): v is ActorDefinition<any, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'cairn.actor';
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

function invalid(actor: Actor, context: BehaviourContext, module: string, name: string, why: string): CairnError {
  return new CairnError(DeployCodes.APP_BEHAVIOUR_INVALID, `actor "${actor.id}" of application "${context.app}": behaviour ${module}#${name} cannot be used: ${why}`, {
    details: { app: context.app, actor: actor.id, module, export: name },
  });
}
