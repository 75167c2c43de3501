import type Dockerode from 'dockerode';
import type { GuestInfo } from '../guest-channel.ts';

/** Labels every container Cairn starts carries: who owns it, so leftovers can be found and removed. */
export const ContainerLabels = {
  site: 'cairn.site',
  node: 'cairn.node',
  actor: 'cairn.actor',
  /** Always "true": the container was made by Cairn and may be removed by it. */
  managed: 'cairn.managed',
} as const;
export type ContainerLabel = (typeof ContainerLabels)[keyof typeof ContainerLabels];

/** The labels of one actor's container. */
export function containerLabels(info: GuestInfo): Record<string, string> {
  return {
    [ContainerLabels.site]: info.site,
    [ContainerLabels.node]: info.node,
    [ContainerLabels.actor]: info.actor,
    [ContainerLabels.managed]: 'true',
  };
}

/** A Docker `label` filter selecting Cairn containers of a site, optionally of one node and/or actor. */
export function labelFilter(owner: { site: string; node?: string; actor?: string }): { label: string[] } {
  return {
    label: [
      `${ContainerLabels.managed}=true`,
      `${ContainerLabels.site}=${owner.site}`,
      ...(owner.node === undefined ? [] : [`${ContainerLabels.node}=${owner.node}`]),
      ...(owner.actor === undefined ? [] : [`${ContainerLabels.actor}=${owner.actor}`]),
    ],
  };
}

/** Cairn containers (running or not) of a site, optionally narrowed to a node and/or actor. */
export function listCairnContainers(docker: Dockerode, owner: { site: string; node?: string; actor?: string }): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: labelFilter(owner) });
}

/**
 * Removes (force: kills first) every container a previous run of this node left behind: a node
 * that crashed or was killed cannot remove its guests' containers. Call it when the node starts,
 * before any actor of it is spawned. Containers of other nodes and sites are left alone.
 * Resolves with the ids removed.
 */
export async function cleanupOrphanContainers(docker: Dockerode, site: string, node: string): Promise<string[]> {
  const leftovers = await listCairnContainers(docker, { site, node });
  const removed: string[] = [];
  await Promise.all(
    leftovers.map(async (c) => {
      try {
        await docker.getContainer(c.Id).remove({ force: true, v: true });
        removed.push(c.Id);
      } catch (err) {
        // Already gone (removed by its own launcher meanwhile) is what we wanted.
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      }
    }),
  );
  return removed;
}
