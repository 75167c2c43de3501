import { CairnError, DEFAULT_NODE_TIMEOUT_MS, DeployCodes, isNodeAlive } from '../protocols/index.ts';
import type { NodeRecord } from '../protocols/index.ts';
import { place } from '../supervisor-trees/placement/index.ts';
import type { Assignment, PlacementRequest, Unplaced } from '../supervisor-trees/placement/index.ts';
import type { Application } from './manifest/index.ts';
import { nodeInfoOf, sitePlacementRequest } from './site-instances.ts';
import type { SiteInstance } from './site-instances.ts';

export interface SitePlacerOptions {
  readonly site: string;
  /** The registered nodes of this site (alive or not). */
  readonly nodes: () => readonly NodeRecord[];
  readonly now: () => number;
  /** @default DEFAULT_NODE_TIMEOUT_MS */
  readonly nodeTimeoutMs?: number;
}

/** Where an app's instances go on this site, and those that fit nowhere (with one reason per node). */
export interface AppPlan {
  readonly placed: ReadonlyMap<string, string>;
  readonly unplaced: readonly Unplaced[];
}

/**
 * The site leader's placement executor: keeps what every app asks of this site and where each
 * instance runs, and asks the pure `place()` where an instance goes whenever one (re)starts. An
 * instance stays on its node while that node is alive and eligible; one whose node died moves to
 * another eligible node that fits (failover).
 */
export class SitePlacer {
  private readonly requests = new Map<string, PlacementRequest[]>();
  private current: Assignment[] = [];

  constructor(private readonly opts: SitePlacerOptions) {}

  /**
   * Records what `app` asks of this site (replacing an earlier revision) and places every instance.
   * Instances that fit nowhere are left out of `placed` and reported in `unplaced`.
   */
  planApp(app: Application, instances: readonly SiteInstance[]): AppPlan {
    const name = app.metadata.name;
    const actors = [...new Map(instances.map((i) => [i.actor.id, i.actor])).values()];
    this.requests.set(name, actors.map((a) => sitePlacementRequest(app, a, this.opts.site)));
    const result = this.run();
    const mine = result.assignments.filter((a) => a.app === name);
    this.current = [...this.current.filter((a) => a.app !== name), ...mine];
    return { placed: new Map(mine.map((a) => [a.instanceId, a.node])), unplaced: result.unplaced.filter((u) => u.app === name) };
  }

  /** Forgets an app that no longer runs here. */
  removeApp(app: string): void {
    this.requests.delete(app);
    this.current = this.current.filter((a) => a.app !== app);
  }

  /**
   * The node instance `instanceId` of `app` runs on now: where it is while that node is alive and
   * eligible, otherwise where placement moves it.
   * @throws CairnError CAIRN_UNPLACED naming every refused node when it fits nowhere
   */
  nodeFor(app: string, instanceId: string): string {
    // Fast path, the same answer place() gives: an instance stays on a node that is alive and still
    // carries the selected labels (its capacity is what it was when the instance was placed there).
    const now = this.current.find((a) => a.app === app && a.instanceId === instanceId);
    const node = now && this.opts.nodes().find((n) => n.id === now.node);
    const selector = now && this.requests.get(app)?.find((r) => r.actor === now.actor)?.nodeSelector;
    const selected = node !== undefined && Object.entries(selector ?? {}).every(([k, v]) => node.labels[k] === v);
    if (now && node && selected && isNodeAlive(node, this.opts.now(), this.opts.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS)) return now.node;
    const result = this.run();
    const to = result.assignments.find((a) => a.app === app && a.instanceId === instanceId);
    if (!to) {
      const reasons = result.unplaced.filter((u) => u.app === app).flatMap((u) => u.reasons);
      throw new CairnError(DeployCodes.UNPLACED, `instance ${instanceId} of app ${app} fits no node of site ${this.opts.site}: ${reasons.join('; ') || 'no eligible node'}`, { details: { app, instanceId, reasons } });
    }
    this.current = [...this.current.filter((a) => !(a.app === app && a.instanceId === instanceId)), to];
    return to.node;
  }

  private run(): ReturnType<typeof place> {
    return place({
      requests: [...this.requests.values()].flat(),
      nodes: this.opts.nodes().filter((n) => n.site === this.opts.site).map(nodeInfoOf),
      current: this.current,
      now: this.opts.now(),
      nodeTimeoutMs: this.opts.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS,
    });
  }
}
