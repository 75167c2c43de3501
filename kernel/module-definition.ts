import type { Static, TSchema } from '@sinclair/typebox';
import { CairnError, KernelCodes, Streams } from '../protocols/index.ts';
import type { ActorDefinition } from './actor-definition.ts';
import type { Message } from './message.ts';
import type { RuntimeMode } from './runtime-spec.ts';
import type { DeviceAccess, RouteSource } from '../protocols/index.ts';

/** How a module is written: once, by Cairn for its built-ins and by anyone else for theirs. */
export interface ModuleSpec<C extends TSchema, M extends Message, S> {
  /** `cairn/<name>` for Cairn's built-ins, `<scope>/<name>` for others: lowercase letters, digits and `-`. */
  readonly name: string;
  /** One line for `cairn` listings and docs. */
  readonly description: string;
  /**
   * The schema (TypeBox) of an actor's `config` in manifests. `cairn apply` checks every actor that
   * names the module against it, with each problem's path, before anything is stored, and fills in
   * its defaults; the actor gets the result as `ctx.config`, typed `Static<C>`.
   */
  readonly config: C;
  /** The behaviour every actor of this module runs. */
  readonly behaviour: ActorDefinition<M, S, Static<C> & Readonly<Record<string, unknown>>>;
  /**
   * Where a worker, process or container guest imports the behaviour from: the URL of a module
   * file (usually `import.meta.url` of the file defining it) and the export that holds it. Without
   * it the module runs inline only.
   */
  readonly source?: { readonly url: string; readonly export: string };
  /** The execution modes it runs in; `cairn apply` refuses others. @default ['inline'], or every JavaScript mode with `source` */
  readonly modes?: readonly RuntimeMode[];
  /**
   * The routes each actor of this module needs, from its config: NATS subjects or MQTT topic
   * filters captured durably on the actor's site and forwarded to the actor, as a manifest's
   * `routes` are (each message a RoutedMessage). `cairn apply` checks them like manifest routes.
   */
  readonly routes?: (config: Static<C>) => readonly RouteSource[];
  /**
   * The streams each actor of this module needs, from its config (a bridge's per-peer buffer, a
   * hub's retained messages…). The control plane creates them on the actor's site before the
   * actor starts, one set per instance, named `moduleStreamName(ctx.site, ctx.id, name)`; it
   * updates them when the config changes and deletes them with the application.
   */
  readonly streams?: (config: Static<C>) => readonly ModuleStreamSpec[];
  /**
   * What each actor of this module needs its site's nats-server to offer devices, from its config:
   * MQTT listeners and the principals devices log in as (the hub). The process running the site's
   * server renders it into the server's configuration while the actor's application runs there,
   * and tells the actor what the server refused (`DeviceIncidents`). One instance per site.
   */
  readonly deviceAccess?: (config: Static<C>) => Omit<DeviceAccess, 'actor'>;
  /**
   * Problems with a config that its schema accepts but the module cannot run (a topic filter with
   * an empty level, a name given twice): `cairn apply` reports each at `config.<path>` with
   * CAIRN_MANIFEST_MODULE_CONFIG_REFUSED before anything is stored. @default none
   */
  readonly check?: (config: Static<C>) => readonly ModuleConfigProblem[];
}

/** One problem `check` finds: where under the actor's `config`, and what to change. */
export interface ModuleConfigProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** One stream a module needs. Limits keep it bounded; what is dropped is the oldest (`discard: 'old'`) unless it says 'new'. */
export interface ModuleStreamSpec {
  /** Short name, unique in the module: lowercase letters, digits and `-`. */
  readonly name: string;
  /** The subjects it stores (NATS subject filters, not Cairn's own). */
  readonly subjects: readonly string[];
  readonly maxAgeMs?: number;
  readonly maxMsgs?: number;
  readonly maxBytes?: number;
  /** @default 'old' */
  readonly discard?: 'old' | 'new';
  /**
   * 'limits': messages stay until a limit removes them (a log others read). 'workqueue': a message
   * leaves the stream once a consumer acks it, so what it holds is what is still to be done (a
   * bridge's outbound buffer). @default 'limits'
   */
  readonly retention?: 'limits' | 'workqueue';
}

/** The JetStream name of stream `name` of the module actor `actor` (its instance id, ctx.id) on `site`. */
export function moduleStreamName(site: string, actor: string, name: string): string {
  return Streams.module(site, actor, name);
}

/** A module, as defineModule returns it (manifests name it with `module: <name>`). */
export interface ModuleDefinition<C extends TSchema = TSchema, M extends Message = Message, S = unknown> extends Omit<ModuleSpec<C, M, S>, 'modes'> {
  readonly kind: 'cairn.module';
  readonly modes: readonly RuntimeMode[];
}

const MODULE_NAME = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/;
const JS_MODES: readonly RuntimeMode[] = ['inline', 'worker', 'process', 'container'];

/**
 * Declares a module: a capability that manifests configure (`module: cairn/timer`, `config: …`).
 *
 * ```ts
 * import { defineModule, Type } from 'cairn/module';
 * export const Beacon = defineModule({
 *   name: 'acme/beacon',
 *   description: 'Says hello to an actor every few seconds',
 *   config: Type.Object({ to: Type.String(), everyMs: Type.Integer({ minimum: 100, default: 5000 }) }, { additionalProperties: false }),
 *   behaviour: BeaconActor,     // defineActor<Msg, State, Static<typeof config>>
 * });
 * ```
 */
export function defineModule<C extends TSchema, M extends Message, S>(spec: ModuleSpec<C, M, S>): ModuleDefinition<C, M, S> {
  const problems: string[] = [];
  if (typeof spec.name !== 'string' || !MODULE_NAME.test(spec.name)) problems.push(`name ${JSON.stringify(spec.name)} is not valid: use "<scope>/<name>" in lowercase letters, digits and -, e.g. "acme/beacon"`);
  if (typeof spec.description !== 'string' || spec.description.trim() === '') problems.push('description is empty: say in one line what the module does');
  if (typeof spec.config !== 'object' || spec.config === null) problems.push('config is not a schema: give a TypeBox schema of the actor config (Type.Object({...}))');
  if (spec.behaviour?.kind !== 'cairn.actor') problems.push('behaviour is not a defineActor result');
  const modes = spec.modes ?? (spec.source ? JS_MODES : (['inline'] as const));
  if (spec.streams !== undefined && typeof spec.streams !== 'function') problems.push('streams is not a function of the config returning stream specs ({ name, subjects, … })');
  if (spec.deviceAccess !== undefined && typeof spec.deviceAccess !== 'function') problems.push('deviceAccess is not a function of the config returning { mqtt?, websocket?, principals }');
  if (spec.check !== undefined && typeof spec.check !== 'function') problems.push('check is not a function of the config returning a list of { path, message }');
  if (spec.routes !== undefined && typeof spec.routes !== 'function') problems.push('routes is not a function of the config returning route sources ({ subject } or { mqtt })');
  if (modes.some((m) => m !== 'inline') && spec.source === undefined) problems.push(`modes ${JSON.stringify(modes)} include a guest mode, which needs source: { url, export } to import the behaviour from`);
  if (problems.length > 0) {
    throw new CairnError(KernelCodes.INVALID_OPTION, `module ${JSON.stringify(spec.name)} is not valid: ${problems.join('; ')}`, { details: { problems } });
  }
  return { ...spec, kind: 'cairn.module', modes };
}

/** Whether `value` is a defineModule result (what a module's file exports). */
export function isModuleDefinition(value: unknown): value is ModuleDefinition {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'cairn.module';
}
