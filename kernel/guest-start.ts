import type { ActorConfig } from './actor-context.ts';
import type { CellDeps } from './cell-deps.ts';
import { RemoteHost } from './remote-host.ts';
import type { RuntimeSpec } from './runtime-spec.ts';

/** Where an incarnation runs: a node of the site (this one or another) and its runtime there. */
export interface GuestPlacement {
  readonly node: string;
  readonly runtime: RuntimeSpec;
}

/** Launches an incarnation's guest where placement put it (through that node's launcher for remote ones); not started yet. */
export async function launchGuest(deps: CellDeps, where: GuestPlacement, actor: string, from: string, signal: AbortSignal): Promise<RemoteHost> {
  const channel = await deps.launcherFor(where.runtime.mode, where.node === deps.node ? undefined : where.node)(where.runtime, { site: deps.site, node: deps.node, actor }, signal);
  return new RemoteHost(channel, deps.sender.as({ from }), deps.log, actor);
}

/** Starts a launched guest with the stored state (or lets it make its initial one) and returns the state; kills it when the start fails. */
export async function startGuest(host: RemoteHost, site: string, node: string, stored: { value: unknown } | undefined, config: ActorConfig): Promise<unknown> {
  try {
    const initial = await host.start(site, node, stored, config);
    return (stored ?? initial)?.value;
  } catch (err) {
    await host.kill();
    throw err;
  }
}
