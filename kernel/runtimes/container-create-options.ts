import type Dockerode from 'dockerode';
import type { GuestInfo } from '../guest-channel.ts';
import type { RuntimeSpec } from '../runtime-spec.ts';
import { containerLabels } from './container-labels.ts';

export type ContainerSpec = Extract<RuntimeSpec, { mode: 'container' }>;

/** Docker's default network mode for guests: the host's, so a loopback nats-server is reachable. */
export const DEFAULT_NETWORK = 'host';

/**
 * How a guest container is created from its spec: stdin kept open and attached (the host protocol
 * runs over it), no TTY (stdout and stderr stay apart), the actor's identity in env and labels,
 * and the limits as cgroup settings. MemorySwap equals Memory so the limit cannot spill into swap:
 * a guest over it is OOM-killed, which the launcher reports as CAIRN_GUEST_OOM.
 */
export function containerCreateOptions(spec: ContainerSpec, info: GuestInfo): Dockerode.ContainerCreateOptions {
  const limits = spec.limits ?? {};
  const memory = limits.memoryMb === undefined ? undefined : Math.round(limits.memoryMb * 1024 * 1024);
  const env = { ...spec.env, CAIRN_SITE: info.site, CAIRN_NODE: info.node, CAIRN_ACTOR: info.actor };
  return {
    Image: spec.image,
    ...(spec.cmd ? { Cmd: [...spec.cmd] } : {}),
    ...(spec.entrypoint ? { Entrypoint: [...spec.entrypoint] } : {}),
    ...(spec.workdir ? { WorkingDir: spec.workdir } : {}),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: containerLabels(info),
    OpenStdin: true,
    // Closes the guest's stdin when our attach connection drops: a node that dies takes its
    // guests down (the JS guest exits on stdin EOF) instead of leaving them running.
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: {
      NetworkMode: spec.network ?? DEFAULT_NETWORK,
      ...(spec.binds?.length ? { Binds: [...spec.binds] } : {}),
      ...(limits.cpus === undefined ? {} : { NanoCpus: Math.round(limits.cpus * 1e9) }),
      ...(memory === undefined ? {} : { Memory: memory, MemorySwap: memory }),
      ...(limits.pids === undefined ? {} : { PidsLimit: limits.pids }),
      // stdout is the protocol stream and also lands in the json log: keep that file small.
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
    },
  };
}
