import type { ActorNode, RuntimeMode } from '../kernel/index.ts';
import { DEFAULT_REGISTRY_DIR, cleanupOrphans, processLauncher, workerLauncher } from '../kernel/runtimes/index.ts';
import { CairnError, KernelCodes } from '../protocols/index.ts';

/**
 * An execution mode besides inline that a system offers its actors (`createActorSystem({ runtimes })`).
 * It is installed on the node when the system starts: it registers the mode's launcher and may
 * clean up what a crashed earlier run of the node left behind.
 */
export interface Runtime {
  readonly mode: Exclude<RuntimeMode, 'inline'>;
  install(node: ActorNode): Promise<void>;
}

/** Worker threads of this process. Needs nothing. */
export function workerRuntime(): Runtime {
  return {
    mode: 'worker',
    install: async (node) => node.registerRuntime('worker', workerLauncher({ log: node.log })),
  };
}

export interface ProcessRuntimeOptions {
  /**
   * Where process-mode guests are recorded, so that a node restarted after a crash kills the
   * guests its previous run left behind. @default os.tmpdir()/cairn-guests
   */
  readonly registryDir?: string;
}

/** Native child processes (Node, Python, any executable speaking the host protocol). Kills the guests a crashed earlier run of the node left. */
export function processRuntime(opts: ProcessRuntimeOptions = {}): Runtime {
  const registryDir = opts.registryDir ?? DEFAULT_REGISTRY_DIR;
  return {
    mode: 'process',
    async install(node) {
      const orphans = await cleanupOrphans(registryDir, node.site, node.id).catch((err: unknown) => {
        node.log.warn({ err, registryDir }, 'could not read the guest registry; orphaned guests may be left running');
        return { killed: [] };
      });
      if (orphans.killed.length > 0) node.log.warn({ killed: orphans.killed.map((g) => g.pid) }, 'killed guest processes left by a previous run of this node');
      node.registerRuntime('process', processLauncher({ registryDir, log: node.log }));
    },
  };
}

/**
 * What a system offers when `runtimes` is not given: worker threads and processes, which need
 * nothing but Node. Containers are opt-in (`containerRuntime()`), so that a system that never runs
 * one never loads dockerode or talks to a Docker engine.
 */
export function defaultRuntimes(opts: ProcessRuntimeOptions = {}): Runtime[] {
  return [workerRuntime(), processRuntime(opts)];
}

/** Installs each runtime once; a mode given twice is a coded error, before anything is installed. */
export async function installRuntimes(node: ActorNode, runtimes: readonly Runtime[]): Promise<void> {
  const modes = runtimes.map((r) => r.mode);
  const twice = modes.filter((m, i) => modes.indexOf(m) !== i);
  if (twice.length > 0) {
    throw new CairnError(KernelCodes.INVALID_OPTION, `runtimes lists mode "${twice[0]}" more than once; give each mode one runtime`, { details: { modes } });
  }
  for (const runtime of runtimes) await runtime.install(node);
}
