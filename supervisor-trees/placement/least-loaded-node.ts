import type { NodeInfo } from './node-info.ts';
import type { NodeUsage } from './node-usage.ts';
import type { Resources } from './resources.ts';

function share(used: number, capacity: number): number {
  if (capacity > 0) return used / capacity;
  return used > 0 ? Number.POSITIVE_INFINITY : 0;
}

/**
 * The node that would be least loaded after taking `resources`: the one whose busier dimension
 * (CPU or memory, as a share of capacity) ends lowest. Ties go to the smaller node id, so the
 * answer depends only on the input.
 */
export function leastLoadedNode(candidates: readonly NodeInfo[], usage: NodeUsage, resources: Resources): NodeInfo | undefined {
  let best: NodeInfo | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const node of candidates) {
    const used = usage.used(node.id);
    const score = Math.max(
      share(used.cpu + resources.cpu, node.capacity.cpu),
      share(used.memoryMb + resources.memoryMb, node.capacity.memoryMb),
    );
    if (best === undefined || score < bestScore || (score === bestScore && node.id < best.id)) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}
