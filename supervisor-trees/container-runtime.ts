import type { Runtime } from './runtimes.ts';

/**
 * Docker containers (`createActorSystem({ runtimes: [...defaultRuntimes(), containerRuntime()] })`).
 * Installing it loads dockerode, registers the mode and removes containers a crashed previous run
 * of the node left behind. Without a Docker engine the mode stays registered: spawning a container
 * actor then fails with CAIRN_RUNTIME_UNAVAILABLE, which says how to get an engine; nothing else
 * waits.
 */
export function containerRuntime(): Runtime {
  return {
    mode: 'container',
    install: async (node) => {
      const { default: Docker } = await import('dockerode');
      const { containerLauncher, cleanupOrphanContainers } = await import('../kernel/runtimes/container-launcher.ts');
      const docker = new Docker();
      node.registerRuntime('container', containerLauncher({ docker, log: node.log }));
      const reachable = await Promise.race([docker.ping().then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), 1_000).unref())]);
      if (!reachable) return;
      const removed = await cleanupOrphanContainers(docker, node.site, node.id).catch((err: unknown) => {
        node.log.warn({ err }, 'could not look for orphaned containers');
        return [];
      });
      if (removed.length > 0) node.log.warn({ removed }, 'removed containers left by a previous run of this node');
    },
  };
}
