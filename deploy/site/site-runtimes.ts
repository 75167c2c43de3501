import { containerRuntime, defaultRuntimes } from '../../supervisor-trees/index.ts';
import type { Runtime } from '../../supervisor-trees/index.ts';

/**
 * The execution modes a site node offers (`cairn up`, `cairn site up/join`): every one, because
 * its manifests decide what runs. Containers need a Docker engine only when an actor asks for one.
 */
export function siteRuntimes(): Runtime[] {
  return [...defaultRuntimes(), containerRuntime()];
}
