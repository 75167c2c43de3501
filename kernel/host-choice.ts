import type { RuntimeSpec } from './runtime-spec.ts';

/** Where one incarnation of an actor runs: a node of the site, and how (a guest mode). */
export interface HostPlacement {
  readonly node: string;
  /** The guest to start there (worker, process or container: inline code cannot be sent). */
  readonly runtime: RuntimeSpec;
}

/**
 * Decides, at every start of an actor (first start and each restart), which node of the site runs
 * it; undefined or this node's id runs it here with its own runtime. Placement plugs in here.
 */
export type HostChoice = () => Promise<HostPlacement | undefined>;
