import type { ActorConfig, ActorDefinition, HostChoice, Message, RuntimeSpec } from '../kernel/index.ts';
import { SupervisorCodes } from '../protocols/index.ts';
import { orThrow, resolveChildSpecs, resolveFlags } from './core/index.ts';
import type { RestartBackoff, ChildSpec, Problem, RestartType, Result, Strategy, SupervisorFlags } from './core/index.ts';

/** A child as users write it: an actor behaviour or a nested supervisor. */
export type ChildInput =
  | {
      readonly id: string;
      readonly actor: ActorDefinition<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      /** Where the handler runs. @default { mode: 'inline' } */
      readonly runtime?: RuntimeSpec;
      /** Which node of the site runs each incarnation (placement). @default this node */
      readonly host?: HostChoice;
      /** ctx.config of the actor, in every mode. @default {} */
      readonly config?: ActorConfig;
      /** @default 'permanent' */
      readonly restart?: RestartType;
      /** @default 5000 */
      readonly shutdownMs?: number | 'infinity';
    }
  | {
      readonly id: string;
      readonly supervisor: SupervisorSpec;
      /** @default 'permanent' */
      readonly restart?: RestartType;
      /** @default 'infinity' */
      readonly shutdownMs?: number | 'infinity';
    };

/** A supervisor as users write it (OTP's `{SupFlags, [ChildSpec]}`); see docs/supervision.md. */
export interface SupervisorSpec {
  readonly id: string;
  /** @default 'one_for_one' */
  readonly strategy?: Strategy;
  /** Restarts allowed within `periodMs` before the supervisor gives up and escalates. @default 3 */
  readonly intensity?: number;
  /** @default 5000 */
  readonly periodMs?: number;
  /** Optional exponential delay before restarts. */
  readonly backoff?: Partial<RestartBackoff>;
  readonly children: readonly ChildInput[];
}

/** What the runtime starts a child from. */
export type ChildStart = { readonly actor: ActorDefinition<Message, unknown>; readonly runtime?: RuntimeSpec; readonly host?: HostChoice; readonly config?: ActorConfig } | { readonly supervisor: ResolvedSupervisorSpec };

export interface ResolvedSupervisorSpec {
  readonly id: string;
  readonly flags: SupervisorFlags;
  readonly children: readonly ChildSpec<ChildStart>[];
}

export function isChildStart(s: unknown): s is ChildStart {
  if (typeof s !== 'object' || s === null) return false;
  const o = s as Record<string, unknown>;
  return (typeof o.actor === 'object' && o.actor !== null && (o.actor as { kind?: unknown }).kind === 'cairn.actor') || (typeof o.supervisor === 'object' && o.supervisor !== null);
}

/**
 * Merges defaults and validates a whole supervisor tree, nested supervisors included, throwing one
 * SupervisorSpecError that lists every problem (paths like `app.children[2].restart`) before
 * anything starts.
 */
export function resolveSupervisorSpec(spec: SupervisorSpec): ResolvedSupervisorSpec {
  return orThrow(collectSupervisorSpec(spec, spec?.id ?? 'supervisor'));
}

function collectSupervisorSpec(spec: SupervisorSpec, at: string): Result<ResolvedSupervisorSpec> {
  const problems: Problem[] = [];
  if (typeof spec !== 'object' || spec === null) {
    return { ok: false, problems: [{ path: at, code: SupervisorCodes.INVALID_FLAGS, message: `${at} is not a supervisor spec; expected { id, strategy?, intensity?, periodMs?, children: [...] }` }] };
  }
  const { id, children, ...flagInput } = spec;
  const flags = resolveFlags(stripUndefined(flagInput), at);
  if (!flags.ok) problems.push(...flags.problems);
  const inputs = Array.isArray(children) ? children : [];
  if (!Array.isArray(children)) {
    problems.push({ path: `${at}.children`, code: SupervisorCodes.INVALID_CHILD_SPEC, message: `${at}.children is missing; expected an array of child specs in start order` });
  }
  const converted = inputs.map((child, i) => {
    if (child && typeof child === 'object' && 'supervisor' in child && child.supervisor !== undefined) {
      const nested = collectSupervisorSpec(child.supervisor, `${at}.children[${i}].supervisor`);
      if (!nested.ok) problems.push(...nested.problems);
      return childSpecInput(child, nested.ok ? nested.value : undefined);
    }
    return childSpecInput(child, undefined);
  });
  const resolved = resolveChildSpecs(converted, isChildStart, `${at}.children`);
  if (!resolved.ok) problems.push(...resolved.problems);
  if (problems.length > 0 || !flags.ok || !resolved.ok) return { ok: false, problems };
  return { ok: true, value: { id, flags: flags.value, children: resolved.value } };
}

/** Converts one user child to the core's child-spec input shape (validated by resolveChildSpec). */
function childSpecInput(child: ChildInput, nested: ResolvedSupervisorSpec | undefined): Record<string, unknown> {
  if (typeof child !== 'object' || child === null) return child as never;
  const isSup = 'supervisor' in child && child.supervisor !== undefined;
  const { id, restart, shutdownMs } = child;
  // A nested supervisor with problems gets a placeholder start; its own problems are reported above.
  const start = isSup
    ? { supervisor: nested ?? { id, flags: {}, children: [] } }
    : 'actor' in child
      ? { actor: child.actor, ...(child.runtime ? { runtime: child.runtime } : {}), ...(child.host ? { host: child.host } : {}), ...(child.config ? { config: child.config } : {}) }
      : undefined;
  return {
    id,
    start,
    kind: isSup ? 'supervisor' : 'worker',
    ...(restart === undefined ? {} : { restart }),
    ...(shutdownMs === undefined ? {} : { shutdownMs }),
  };
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
