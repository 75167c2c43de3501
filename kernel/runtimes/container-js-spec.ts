import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ContainerSpec } from './container-create-options.ts';
import { BASE_IMAGE } from './container-base-image.ts';

/** This checkout (holds node_modules, the guest entry point and, usually, the actor modules). */
export const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/** Host folders holding node and the libraries it links, mounted read-only into the empty base image. */
const HOST_RUNTIME_DIRS = ['/usr', '/lib', '/lib64', '/bin', '/etc/ssl'];

/** Extra fields for jsContainerSpec; `env` and `binds` are added to the generated ones. */
export type JsContainerExtra = Partial<Omit<ContainerSpec, 'mode'>> & { readonly repoDir?: string };

/**
 * A container RuntimeSpec that runs a JavaScript/TypeScript actor module with the host's own node:
 * `node --import tsx <repo>/kernel/guest/stdio-guest-main.ts <module> <export>` in the empty
 * `cairn-base:local` image, with the host's /usr, /lib, /lib64, /bin, /etc/ssl, node's folder and
 * the repo bind-mounted read-only at the same paths. `modulePath` is resolved against the repo; a
 * module outside it gets its folder mounted read-only too. The container spec has no working dir,
 * so tsx is passed as the file URL of the repo's copy rather than resolved from the cwd.
 *
 * ```ts
 * await system.spawn(Counter, { id: 'c', runtime: jsContainerSpec('actors/counter.ts', 'Counter', { limits: { memoryMb: 128 } }) });
 * ```
 */
export function jsContainerSpec(modulePath: string, exportName = 'default', extra: JsContainerExtra = {}): ContainerSpec {
  const { repoDir: repoOpt, env, binds, ...rest } = extra;
  const repo = resolve(repoOpt ?? REPO_DIR);
  const module = resolve(repo, modulePath);
  const node = realpathSync(process.execPath);
  const mounts = new Set<string>();
  const mount = (dir: string) => {
    if (![...mounts].some((m) => within(dir, m))) mounts.add(dir);
  };
  for (const dir of HOST_RUNTIME_DIRS) if (exists(dir)) mount(dir);
  mount(dirname(node));
  mount(repo);
  mount(dirname(module));
  const passLevel: Record<string, string> = process.env.CAIRN_LOG_LEVEL ? { CAIRN_LOG_LEVEL: process.env.CAIRN_LOG_LEVEL } : {};
  return {
    mode: 'container',
    image: BASE_IMAGE,
    cmd: [node, '--import', tsxLoader(repo), `${repo}/kernel/guest/stdio-guest-main.ts`, module, exportName],
    ...rest,
    env: { ...passLevel, ...env },
    binds: [...[...mounts].map((dir) => `${dir}:${dir}:ro`), ...(binds ?? [])],
  };
}

/** The file URL of the tsx loader the repo uses (what `--import tsx` resolves to from the repo). */
function tsxLoader(repo: string): string {
  return pathToFileURL(createRequire(`${repo}/package.json`).resolve('tsx').replace(/loader\.cjs$/, 'loader.mjs')).href;
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
