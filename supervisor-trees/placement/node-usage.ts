import type { Assignment } from './assignment.ts';
import type { NodeInfo } from './node-info.ts';
import { addResources, NO_RESOURCES } from './resources.ts';
import type { Resources } from './resources.ts';
import { requestKey } from './placement-request.ts';

/** Float sums such as 0.1 + 0.2 must not refuse a request that fits exactly. */
const EPSILON = 1e-9;

/**
 * What each node holds while one `place` call builds its answer: resources used and which
 * replicas of which actor. Private to a single call, so placement as a whole stays pure.
 */
export class NodeUsage {
  readonly #used = new Map<string, Resources>();
  readonly #replicas = new Map<string, Map<string, Set<number>>>();

  used(nodeId: string): Resources {
    return this.#used.get(nodeId) ?? NO_RESOURCES;
  }

  free(node: NodeInfo): Resources {
    const used = this.used(node.id);
    return { cpu: node.capacity.cpu - used.cpu, memoryMb: node.capacity.memoryMb - used.memoryMb };
  }

  fits(node: NodeInfo, resources: Resources): boolean {
    const free = this.free(node);
    return resources.cpu <= free.cpu + EPSILON && resources.memoryMb <= free.memoryMb + EPSILON;
  }

  overCapacity(node: NodeInfo): boolean {
    return !this.fits(node, NO_RESOURCES);
  }

  /** Replica indexes of this actor already on the node. */
  replicasOn(nodeId: string, a: Pick<Assignment, 'app' | 'actor'>): ReadonlySet<number> {
    return this.#replicas.get(nodeId)?.get(requestKey(a)) ?? new Set();
  }

  add(a: Assignment, resources: Resources): void {
    this.#used.set(a.node, addResources(this.used(a.node), resources));
    const byActor = this.#replicas.get(a.node) ?? new Map<string, Set<number>>();
    this.#replicas.set(a.node, byActor);
    const set = byActor.get(requestKey(a)) ?? new Set<number>();
    byActor.set(requestKey(a), set);
    set.add(a.replica);
  }

  remove(a: Assignment, resources: Resources): void {
    this.#used.set(a.node, addResources(this.used(a.node), { cpu: -resources.cpu, memoryMb: -resources.memoryMb }));
    this.#replicas.get(a.node)?.get(requestKey(a))?.delete(a.replica);
  }
}
