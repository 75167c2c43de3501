// Shared setup of the container-mode tests, and the actors they run inside containers. A guest
// imports this module to find its actor, so the Docker client and the launcher are imported
// lazily: a container should not load dockerode (and ssh2) just to run a counter.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { match } from 'ts-pattern';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';

/** This file, as the module path of the actors below for jsContainerSpec. */
export const CONTAINER_ACTORS = fileURLToPath(import.meta.url);

/**
 * A Docker client for tests, with `cairn-base:local` present. Never skips: without a Docker
 * engine the test fails, saying how to get one.
 */
export async function testDocker(): Promise<Dockerode> {
  const { default: Docker } = await import('dockerode');
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(
      `container tests need a running Docker engine at ${process.env.DOCKER_HOST ?? '/var/run/docker.sock'} (${(err as Error).message}); run .ci/docker-setup.sh (installs docker.io, starts dockerd, makes cairn-base:local)`,
    );
  }
  const { ensureBaseImage } = await import('../../kernel/runtimes/container-launcher.ts');
  await ensureBaseImage(docker);
  return docker;
}

/** Cairn containers of a site still present (running or not). */
export async function cairnContainers(docker: Dockerode, site: string): Promise<Dockerode.ContainerInfo[]> {
  const { listCairnContainers } = await import('../../kernel/runtimes/container-launcher.ts');
  return listCairnContainers(docker, { site });
}

export type EnvEchoMsg = ({ type: 'env'; name: string } & Asks<string | null>) | ({ type: 'say'; line: string } & Asks<true>);

/** Answers with one of its environment variables; `say` writes a line to stderr (the container log). */
export const EnvEcho = defineActor<EnvEchoMsg>({
  name: 'env-echo',
  receive: (msg) =>
    match(msg)
      .with({ type: 'env' }, ({ name }) => process.env[name] ?? null)
      .with({ type: 'say' }, ({ line }) => {
        console.error(line);
        return true as const;
      })
      .exhaustive(),
});

export type MemoryHogMsg = { type: 'hog' } | ({ type: 'ping' } & Asks<'pong'>);

/** `hog` allocates (and touches) memory until the container's limit kills it. */
export const MemoryHog = defineActor<MemoryHogMsg>({
  name: 'memory-hog',
  // One attempt: the hog is dead-lettered after the first OOM instead of killing each restart.
  retry: { maxAttempts: 1, initialBackoffMs: 5, maxBackoffMs: 5 },
  receive: (msg) =>
    match(msg)
      .with({ type: 'hog' }, () => {
        const held: Buffer[] = [];
        // Filled, not zeroed: untouched pages would not count against the limit.
        for (;;) held.push(Buffer.alloc(4 * 1024 * 1024, 1));
      })
      .with({ type: 'ping' }, () => 'pong' as const)
      .exhaustive(),
});

export type FileReaderMsg = { type: 'read'; path: string } & Asks<string>;

/** Reads a file inside its container (to check what an image or a bind put there). */
export const FileReader = defineActor<FileReaderMsg>({
  name: 'file-reader',
  receive: (msg) =>
    match(msg)
      .with({ type: 'read' }, ({ path }) => readFileSync(path, 'utf8'))
      .exhaustive(),
});
