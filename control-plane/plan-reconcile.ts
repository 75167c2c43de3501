import type { Actor, Application } from './manifest/index.ts';
import { actorsForSite, siteFingerprint } from './site-actors.ts';

/** An application as the cloud wants it, at a revision. */
export interface DesiredApp {
  readonly revision: number;
  readonly app: Application;
}

/** What a site's controller has done for an app (started, or tried to start and failed). */
export interface RunningApp {
  readonly revision: number;
  readonly fingerprint: string;
}

/** What the executor must do. Stops come first, then replaces, then starts, each by app name. */
export type ReconcileCommand =
  | { readonly type: 'start'; readonly name: string; readonly revision: number; readonly app: Application; readonly actors: readonly Actor[]; readonly fingerprint: string }
  | { readonly type: 'replace'; readonly name: string; readonly revision: number; readonly app: Application; readonly actors: readonly Actor[]; readonly fingerprint: string }
  /** `deleted`: the app is gone from the desired state; `not-targeted`: none of its actors runs here any more. */
  | { readonly type: 'stop'; readonly name: string; readonly reason: 'deleted' | 'not-targeted' }
  /** A new revision that changes nothing on this site: record it, restart nothing. */
  | { readonly type: 'adopt'; readonly name: string; readonly revision: number };

const ORDER: Record<ReconcileCommand['type'], number> = { stop: 0, replace: 1, adopt: 2, start: 3 };

/**
 * Desired apps and what runs on `site` → the commands that make the site match. Pure: the same
 * inputs always give the same commands, and a site that matches gives none.
 */
export function planReconcile(desired: ReadonlyMap<string, DesiredApp>, running: ReadonlyMap<string, RunningApp>, site: string): ReconcileCommand[] {
  const commands: ReconcileCommand[] = [];
  for (const [name, want] of desired) {
    const actors = actorsForSite(want.app, site);
    const have = running.get(name);
    if (actors.length === 0) {
      if (have) commands.push({ type: 'stop', name, reason: 'not-targeted' });
      continue;
    }
    const fingerprint = siteFingerprint(want.app, site);
    if (!have) commands.push({ type: 'start', name, revision: want.revision, app: want.app, actors, fingerprint });
    else if (have.fingerprint !== fingerprint) commands.push({ type: 'replace', name, revision: want.revision, app: want.app, actors, fingerprint });
    else if (have.revision !== want.revision) commands.push({ type: 'adopt', name, revision: want.revision });
  }
  for (const name of running.keys()) if (!desired.has(name)) commands.push({ type: 'stop', name, reason: 'deleted' });
  return commands.sort((a, b) => ORDER[a.type] - ORDER[b.type] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
