import Dockerode from 'dockerode';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { CairnError, KernelCodes } from '../../protocols/index.ts';
import type { GuestChannel, GuestInfo, GuestLauncher } from '../guest-channel.ts';
import type { RuntimeSpec } from '../runtime-spec.ts';
import { ContainerChannel } from './container-channel.ts';
import { containerCreateOptions } from './container-create-options.ts';
import type { ContainerSpec } from './container-create-options.ts';
import { ensureImage } from './container-image.ts';
import { REPO_DIR } from './container-js-spec.ts';

export { BASE_IMAGE, ensureBaseImage } from './container-base-image.ts';
export { jsContainerSpec, hostRuntimeContainerSpec, REPO_DIR } from './container-js-spec.ts';
export type { JsContainerExtra } from './container-js-spec.ts';
export { ContainerLabels, cleanupOrphanContainers, containerLabels, labelFilter, listCairnContainers } from './container-labels.ts';
export { containerLogs } from './container-logs.ts';
export { containerCreateOptions, DEFAULT_NETWORK } from './container-create-options.ts';
export type { ContainerSpec } from './container-create-options.ts';
export { exitFromState } from './container-exit.ts';
export { usageFromStats } from './container-stats.ts';

export interface ContainerLauncherOptions {
  /** The Docker client. @default new Dockerode() (DOCKER_HOST or /var/run/docker.sock) */
  readonly docker?: Dockerode;
  /** Resolves a relative `build.context`. @default the repo this file is in */
  readonly repoDir?: string;
  /** Where image build progress and guest stderr (debug) go. @default pino at CAIRN_LOG_LEVEL or warn */
  readonly log?: Logger;
}

/**
 * The `container` runtime mode through the Docker engine API: for each incarnation, makes sure the
 * image exists (building it from `build.context` when missing), creates a labelled container with
 * the spec's env, binds, network and limits, attaches to its stdin/stdout before starting it (no
 * frame can be missed), and hands back a channel speaking the host protocol over them.
 *
 * ```ts
 * system.node.registerRuntime('container', containerLauncher());
 * await system.spawn(Counter, { id: 'c', runtime: jsContainerSpec('actors/counter.ts', 'Counter') });
 * ```
 */
export function containerLauncher(opts: ContainerLauncherOptions = {}): GuestLauncher {
  const docker = opts.docker ?? new Dockerode();
  const repoDir = opts.repoDir ?? REPO_DIR;
  const log = opts.log ?? pino({ level: process.env.CAIRN_LOG_LEVEL ?? 'warn' });
  return async (spec: RuntimeSpec, info: GuestInfo, signal: AbortSignal): Promise<GuestChannel> => {
    if (spec.mode !== 'container') {
      throw new CairnError(KernelCodes.RUNTIME_UNAVAILABLE, `the container launcher was given a "${spec.mode}" runtime spec for actor ${info.actor}; register it for mode "container" only`);
    }
    await reachable(docker);
    await ensureImage(docker, spec, log, repoDir);
    signal.throwIfAborted();
    return startContainer(docker, spec, info, log, signal);
  };
}

async function startContainer(docker: Dockerode, spec: ContainerSpec, info: GuestInfo, log: Logger, signal: AbortSignal): Promise<GuestChannel> {
  const failed = (what: string, cause: unknown): CairnError =>
    new CairnError(KernelCodes.GUEST_START_FAILED, `actor ${info.actor}: ${what} (image "${spec.image}") failed: ${(cause as Error).message}`, { cause, details: { actor: info.actor, image: spec.image } });
  let container: Dockerode.Container;
  try {
    container = await docker.createContainer(containerCreateOptions(spec, info));
  } catch (cause) {
    throw failed('creating the container', cause);
  }
  try {
    // Attach before start: a guest that answers (or fails) at once must not be missed.
    const stream = await container.attach({ stream: true, hijack: true, stdin: true, stdout: true, stderr: true });
    const channel = new ContainerChannel(container, stream, (s, out, err) => docker.modem.demuxStream(s, out, err), info, log, spec.limits?.memoryMb);
    signal.throwIfAborted();
    await container.start();
    channel.watch();
    return channel;
  } catch (cause) {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    if (signal.aborted) throw new CairnError(KernelCodes.ABORTED, `actor ${info.actor}: starting its container was cancelled`, { cause });
    throw failed('starting the container', cause);
  }
}

/** Fails with CAIRN_RUNTIME_UNAVAILABLE and the fix when no Docker engine answers. */
async function reachable(docker: Dockerode): Promise<void> {
  try {
    await docker.ping();
  } catch (cause) {
    const where = (docker.modem as { socketPath?: string; host?: string }).socketPath ?? (docker.modem as { host?: string }).host ?? 'the default socket';
    throw new CairnError(KernelCodes.RUNTIME_UNAVAILABLE, `container mode needs a Docker engine, but none answers at ${String(where)}: ${(cause as Error).message}. Start it (\`dockerd &\`, or .ci/docker-setup.sh) or set DOCKER_HOST`, { cause });
  }
}
