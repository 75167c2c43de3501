import type { DeviceAccess } from '../protocols/index.ts';
import type { LoadedActor } from './load-behaviour.ts';
import type { SiteInstance } from './site-instances.ts';

/**
 * What an app's modules need this site's server to offer devices: the DeviceAccess of its (one)
 * instance here whose module declares it, or undefined. The manifest checks keep such modules to
 * one instance per site; a second actor of the same app is a conflict `deviceAccessConflicts` names. Pure.
 */
export function planDeviceAccess(instances: readonly SiteInstance[], loaded: ReadonlyMap<string, Pick<LoadedActor, 'module' | 'config'>>): DeviceAccess[] {
  return instances.flatMap((instance) => {
    const l = loaded.get(instance.actor.id);
    if (!l?.module?.deviceAccess) return [];
    return [{ ...l.module.deviceAccess(l.config as never), actor: instance.instanceId }];
  });
}

/**
 * Why `mine` (of app `app`) cannot be served beside what other apps of the site already have:
 * listeners on another port (a site's server has one MQTT and one WebSocket listener), or a user
 * name another app's principal has. Empty when it can. Pure.
 */
export function deviceAccessConflicts(app: string, mine: readonly DeviceAccess[], others: ReadonlyMap<string, DeviceAccess>): string[] {
  const problems: string[] = [];
  if (mine.length > 1) problems.push(`actors ${mine.map((m) => m.actor).join(' and ')} both configure this site's server for devices: keep one (a hub per site)`);
  const access = mine[0];
  if (!access) return problems;
  for (const [other, theirs] of [...others].sort(([a], [b]) => a.localeCompare(b))) {
    if (other === app) continue;
    for (const kind of ['mqtt', 'websocket'] as const) {
      const a = access[kind];
      const b = theirs[kind];
      if (a && b && (a.port !== b.port || (a.host ?? '') !== (b.host ?? ''))) problems.push(`its ${kind} listener (port ${a.port}) differs from application "${other}"'s (port ${b.port}): a site's server has one ${kind} listener; declare it in one application`);
    }
    const names = new Set(theirs.principals.map((p) => p.username));
    for (const p of access.principals) if (names.has(p.username)) problems.push(`principal ${JSON.stringify(p.username)} is application "${other}"'s too: give each device login once per site`);
  }
  return problems;
}
