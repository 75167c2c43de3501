import type { Actor, Application } from './manifest/index.ts';
import { canonicalJson } from './app-record.ts';

/** One actor that a new revision adds, removes or changes, with the sites it runs on. */
export interface ActorChange {
  readonly id: string;
  /** Its placement's sites (the new ones; the old ones for a removed actor); undefined: every site the app reaches. */
  readonly sites?: readonly string[];
}

/** What applying `next` would change against the stored application. */
export interface AppDiff {
  readonly name: string;
  /** The stored revision; undefined when the application does not exist (or was deleted). */
  readonly currentRevision?: number;
  readonly changed: boolean;
  readonly added: readonly ActorChange[];
  readonly removed: readonly ActorChange[];
  readonly modified: readonly ActorChange[];
  /** Other parts that differ: `metadata`, `spec.supervisor`, `spec.routes`. */
  readonly other: readonly string[];
}

const change = (a: Actor): ActorChange => ({ id: a.id, ...(a.placement.sites ? { sites: a.placement.sites } : {}) });

/** Compares a validated application with the one stored (same canonical form `apply` compares). */
export function diffApps(current: { readonly app: Application; readonly revision: number } | undefined, next: Application): AppDiff {
  const name = next.metadata.name;
  if (!current) return { name, changed: true, added: next.spec.actors.map(change), removed: [], modified: [], other: [] };
  const before = new Map(current.app.spec.actors.map((a) => [a.id, a]));
  const after = new Map(next.spec.actors.map((a) => [a.id, a]));
  const added = next.spec.actors.filter((a) => !before.has(a.id)).map(change);
  const removed = current.app.spec.actors.filter((a) => !after.has(a.id)).map(change);
  const modified = next.spec.actors.filter((a) => before.has(a.id) && canonicalJson(before.get(a.id)) !== canonicalJson(a)).map(change);
  const other = [
    ...(canonicalJson(current.app.metadata) !== canonicalJson(next.metadata) ? ['metadata'] : []),
    ...(canonicalJson(current.app.spec.supervisor) !== canonicalJson(next.spec.supervisor) ? ['spec.supervisor'] : []),
    ...(canonicalJson(current.app.spec.routes) !== canonicalJson(next.spec.routes) ? ['spec.routes'] : []),
  ];
  const changed = canonicalJson(current.app) !== canonicalJson(next);
  return { name, currentRevision: current.revision, changed, added, removed, modified, other };
}

/** The lines `cairn apply --dry-run` and `cairn diff` print for a diff. */
export function formatAppDiff(d: AppDiff): string[] {
  if (!d.changed) return [`application "${d.name}" unchanged (revision ${d.currentRevision ?? 0})`];
  const head = d.currentRevision === undefined ? `application "${d.name}" would be created` : `application "${d.name}" would change: revision ${d.currentRevision} -> a new revision`;
  const where = (c: ActorChange): string => (c.sites ? `sites ${c.sites.join(',')}` : 'every site');
  return [
    head,
    ...d.added.map((c) => `  + actor ${c.id} (${where(c)})`),
    ...d.removed.map((c) => `  - actor ${c.id} (${where(c)})`),
    ...d.modified.map((c) => `  ~ actor ${c.id} (${where(c)})`),
    ...d.other.map((o) => `  ~ ${o}`),
  ];
}
