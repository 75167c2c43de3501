import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ContainerSpec } from './container-create-options.ts';
import { BASE_IMAGE } from './container-base-image.ts';
import { bundleJsGuest, JS_GUEST_ENV } from './guest-bundle.ts';
import { dependenciesDir, PACKAGE_ROOT } from './package-root.ts';

/** Cairn's package root: a checkout, or node_modules/cairn (it holds the guest bundles). */
export const REPO_DIR = PACKAGE_ROOT;

/** Host folders holding node and the libraries it links, mounted read-only into the empty base image. */
const HOST_RUNTIME_DIRS = ['/usr', '/lib', '/lib64', '/bin', '/etc/ssl'];

/** Extra fields for jsContainerSpec; `env` and `binds` are added to the generated ones. */
export type JsContainerExtra = Partial<Omit<ContainerSpec, 'mode'>> & { readonly repoDir?: string };

/**
 * A container RuntimeSpec that runs a JavaScript/TypeScript actor module with the host's own node:
 * `node <bundle>` (the module and the stdio guest pre-bundled to plain JS) in the empty
 * `cairn-base:local` image, with the host's /usr, /lib, /lib64, /bin, /etc/ssl, node's folder and
 * the repo bind-mounted read-only at the same paths. `modulePath` is resolved against the repo; a
 * module outside it gets its folder mounted read-only too.
 *
 * ```ts
 * await system.spawn(Counter, { id: 'c', runtime: jsContainerSpec('actors/counter.ts', 'Counter', { limits: { memoryMb: 128 } }) });
 * ```
 */
export function jsContainerSpec(modulePath: string, exportName = 'default', extra: JsContainerExtra = {}): ContainerSpec {
  const repo = resolve(extra.repoDir ?? REPO_DIR);
  const module = resolve(repo, modulePath);
  // Pre-bundled to plain JS (under the repo, which is mounted): the guest starts with node alone.
  return hostRuntimeContainerSpec([realpathSync(process.execPath), bundleJsGuest(module, exportName)], [dirname(module)], { ...extra, env: { ...JS_GUEST_ENV, ...extra.env } });
}

/**
 * A container RuntimeSpec running `cmd` with the host's own runtime (node, python3 and their
 * libraries under /usr, /lib...) in the empty `cairn-base:local` image: the host folders, node's
 * folder, the repo and `dirs` are bind-mounted read-only at the same paths. Any-language guests
 * use it directly, e.g. `hostRuntimeContainerSpec(['/usr/bin/python3', '/abs/actor.py'])`.
 */
export function hostRuntimeContainerSpec(cmd: readonly string[], dirs: readonly string[] = [], extra: JsContainerExtra = {}): ContainerSpec {
  const { repoDir: repoOpt, env, binds, ...rest } = extra;
  const repo = resolve(repoOpt ?? REPO_DIR);
  const mounts = new Set<string>();
  const mount = (dir: string) => {
    if (![...mounts].some((m) => within(dir, m))) mounts.add(dir);
  };
  for (const dir of HOST_RUNTIME_DIRS) if (exists(dir)) mount(dir);
  mount(dirname(realpathSync(process.execPath)));
  mount(repo);
  // The packages the bundled guest imports (hoisted into the project's node_modules when installed).
  mount(dependenciesDir());
  for (const dir of dirs) mount(dir);
  const passLevel: Record<string, string> = process.env.CAIRN_LOG_LEVEL ? { CAIRN_LOG_LEVEL: process.env.CAIRN_LOG_LEVEL } : {};
  return {
    mode: 'container',
    image: BASE_IMAGE,
    cmd,
    ...rest,
    env: { ...passLevel, ...env },
    binds: [...[...mounts].map((dir) => `${dir}:${dir}:ro`), ...(binds ?? [])],
  };
}

function within(dir: string, parent: string): boolean {
  const rel = relative(parent, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function exists(dir: string): boolean {
  try {
    realpathSync(dir);
    return true;
  } catch {
    return false;
  }
}
