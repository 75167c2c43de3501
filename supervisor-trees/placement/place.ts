import { compareAssignments, compareStrings, instanceKey } from './assignment.ts';
import type { Assignment } from './assignment.ts';
import { desiredInstances } from './desired-instances.ts';
import type { DesiredInstance } from './desired-instances.ts';
import { InvalidPlacementInputError } from './invalid-placement-input-error.ts';
import { leastLoadedNode } from './least-loaded-node.ts';
import type { NodeInfo } from './node-info.ts';
import { isNodeAlive } from './node-liveness.ts';
import { allRefusals, eligibilityRefusals, formatRefusal } from './node-refusals.ts';
import type { RefusalContext } from './node-refusals.ts';
import { NodeUsage } from './node-usage.ts';
import { compareCommands, StopReason } from './placement-command.ts';
import type { PlacementCommand } from './placement-command.ts';
import type { PlacementInput } from './placement-input.ts';
import type { PlacementRequest } from './placement-request.ts';
import type { PlacementResult, Unplaced } from './placement-result.ts';
import { Spread } from './spread.ts';
import { validatePlacementInput } from './validate-placement-input.ts';

/** An instance that was running somewhere it can no longer stay. */
interface Displaced {
  desired: DesiredInstance;
  from: Assignment;
  /** Its node is dead (or unknown): failover with `move`; otherwise `stop` + `start`. */
  dead: boolean;
}

/**
 * Decides where every replica of every request runs, given the nodes and what runs now. Pure:
 * no I/O, no clock (`input.now`), and the same input always gives the same, sorted, output.
 *
 * Existing assignments stay where they are while their node is alive, eligible and within
 * capacity; only missing replicas are placed, displaced ones fail over (preferring their own
 * site), and whatever fits nowhere is reported in `unplaced` with one reason per refused node.
 *
 * @throws InvalidPlacementInputError listing every problem when the input is inconsistent.
 */
export function place(input: PlacementInput): PlacementResult {
  const problems = validatePlacementInput(input);
  if (problems.length > 0) throw new InvalidPlacementInputError(problems);

  const { now, nodeTimeoutMs } = input;
  const nodes = [...input.nodes].sort((a, b) => compareStrings(a.id, b.id));
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const requests = [...input.requests].sort((a, b) => compareStrings(a.app, b.app) || compareStrings(a.actor, b.actor));
  const ctxFor = (d: DesiredInstance): RefusalContext => ({
    request: d.request,
    replica: d.replica,
    ...(d.site === undefined ? {} : { site: d.site }),
    now,
    nodeTimeoutMs,
  });

  const commands: PlacementCommand[] = [];
  const unplaced: Unplaced[] = [];
  const usage = new NodeUsage();

  // 1. What should exist.
  const desired = new Map<string, DesiredInstance>();
  for (const request of requests) {
    const instances = desiredInstances(request, nodes);
    if (instances.length === 0 && request.spread === Spread.OnePerSite) {
      unplaced.push({ app: request.app, actor: request.actor, reasons: noTargetSiteReasons(request, nodes, now, nodeTimeoutMs) });
    }
    for (const d of instances) desired.set(instanceKey({ app: request.app, instanceId: d.instanceId }), d);
  }

  // 2. What exists: keep it where it may stay, stop what is no longer wanted or duplicated.
  const groups = new Map<string, Assignment[]>();
  for (const a of [...input.current].sort(compareAssignments)) {
    const key = instanceKey(a);
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  let kept: Array<{ desired: DesiredInstance; assignment: Assignment }> = [];
  const displaced: Displaced[] = [];
  const handled = new Set<string>();
  for (const [key, group] of [...groups].sort(([a], [b]) => compareStrings(a, b))) {
    const d = desired.get(key);
    const matching = d === undefined ? [] : group.filter((a) => a.actor === d.request.actor);
    for (const a of group) {
      if (!matching.includes(a)) commands.push({ type: 'stop', assignment: a, reason: StopReason.NoLongerDesired });
    }
    if (d === undefined || matching.length === 0) continue;
    handled.add(key);
    const status = (a: Assignment): 'ok' | 'ineligible' | 'dead' => {
      const node = nodeById.get(a.node);
      if (node === undefined || !isNodeAlive(node, now, nodeTimeoutMs)) return 'dead';
      return eligibilityRefusals(node, ctxFor(d)).length === 0 ? 'ok' : 'ineligible';
    };
    const primary =
      matching.find((a) => status(a) === 'ok') ?? matching.find((a) => status(a) === 'ineligible') ?? matching[0]!;
    for (const a of matching) {
      if (a === primary) continue;
      // A duplicate (e.g. left over from an interrupted move): one copy is enough.
      commands.push({ type: 'stop', assignment: a, reason: status(a) === 'dead' ? StopReason.NodeDead : StopReason.Rebalanced });
    }
    const primaryStatus = status(primary);
    if (primaryStatus === 'ok') {
      kept.push({ desired: d, assignment: canonical(d, nodeById.get(primary.node)!) });
    } else {
      displaced.push({ desired: d, from: primary, dead: primaryStatus === 'dead' });
    }
  }

  // 3. Kept instances must still respect one-per-node and capacity; evict the highest first.
  kept.sort((a, b) => compareAssignments(a.assignment, b.assignment));
  const fitsSpread: typeof kept = [];
  for (const k of kept) {
    const onePerNode = k.desired.request.spread === Spread.OnePerNode;
    if (onePerNode && usage.replicasOn(k.assignment.node, k.assignment).size > 0) {
      displaced.push({ desired: k.desired, from: k.assignment, dead: false });
      continue;
    }
    usage.add(k.assignment, k.desired.request.resources);
    fitsSpread.push(k);
  }
  kept = fitsSpread;
  for (const node of nodes) {
    while (usage.overCapacity(node)) {
      const victim = kept.filter((k) => k.assignment.node === node.id).at(-1);
      if (victim === undefined) break;
      kept = kept.filter((k) => k !== victim);
      usage.remove(victim.assignment, victim.desired.request.resources);
      displaced.push({ desired: victim.desired, from: victim.assignment, dead: false });
    }
  }

  // 4. Place displaced instances first (they were serving), then missing replicas.
  const byDesired = (a: DesiredInstance, b: DesiredInstance): number =>
    compareStrings(a.request.app, b.request.app) || compareStrings(a.request.actor, b.request.actor) || a.replica - b.replica;
  displaced.sort((a, b) => byDesired(a.desired, b.desired));
  const missing = [...desired]
    .filter(([key]) => !handled.has(key))
    .map(([, d]) => d)
    .sort(byDesired);
  const queue: Array<{ desired: DesiredInstance; displaced?: Displaced }> = [
    ...displaced.map((x) => ({ desired: x.desired, displaced: x })),
    ...missing.map((d) => ({ desired: d })),
  ];
  const placed: Assignment[] = kept.map((k) => k.assignment);
  for (const item of queue) {
    const d = item.desired;
    const ctx = ctxFor(d);
    const pool = d.site === undefined ? nodes : nodes.filter((n) => n.site === d.site);
    const fitting = pool.filter((n) => allRefusals(n, ctx, usage).length === 0);
    const from = item.displaced?.from;
    const fromSite = from === undefined ? undefined : (nodeById.get(from.node)?.site ?? from.site);
    // Mailboxes and state live on a site's JetStream, so failing over within the site is cheaper.
    const chosen =
      leastLoadedNode(fitting.filter((n) => n.site === fromSite), usage, d.request.resources) ??
      leastLoadedNode(fitting, usage, d.request.resources);

    if (chosen === undefined) {
      unplaced.push({ app: d.request.app, actor: d.request.actor, replica: d.replica, reasons: refusalReasons(d, pool, ctx, usage) });
      if (item.displaced !== undefined) {
        const reason = item.displaced.dead ? StopReason.NodeDead : StopReason.Rebalanced;
        commands.push({ type: 'stop', assignment: item.displaced.from, reason });
      }
      continue;
    }
    const to = canonical(d, chosen);
    usage.add(to, d.request.resources);
    placed.push(to);
    if (item.displaced === undefined) {
      commands.push({ type: 'start', assignment: to });
    } else if (item.displaced.dead) {
      commands.push({ type: 'move', from: item.displaced.from, to, reason: 'node-dead' });
    } else if (item.displaced.from.node !== to.node) {
      commands.push({ type: 'stop', assignment: item.displaced.from, reason: StopReason.Rebalanced });
      commands.push({ type: 'start', assignment: to });
    }
  }

  return {
    assignments: placed.sort(compareAssignments),
    unplaced: unplaced.sort(compareUnplaced),
    commands: commands.sort(compareCommands),
  };
}

function canonical(d: DesiredInstance, node: NodeInfo): Assignment {
  return { app: d.request.app, actor: d.request.actor, replica: d.replica, instanceId: d.instanceId, site: node.site, node: node.id };
}

function refusalReasons(d: DesiredInstance, pool: readonly NodeInfo[], ctx: RefusalContext, usage: NodeUsage): string[] {
  if (pool.length === 0) return d.site === undefined ? ['no nodes registered'] : [`site ${d.site}: no nodes registered`];
  return pool.map((n) => formatRefusal(n, allRefusals(n, ctx, usage)));
}

function noTargetSiteReasons(request: PlacementRequest, nodes: readonly NodeInfo[], now: number, nodeTimeoutMs: number): string[] {
  if (request.sites !== undefined) return ['sites is empty: list at least one site or leave sites out'];
  if (nodes.length === 0) return ['no nodes registered'];
  const ctx: RefusalContext = { request, replica: 0, now, nodeTimeoutMs };
  return nodes.map((n) => formatRefusal(n, eligibilityRefusals(n, ctx)));
}

function compareUnplaced(a: Unplaced, b: Unplaced): number {
  return compareStrings(a.app, b.app) || compareStrings(a.actor, b.actor) || (a.replica ?? -1) - (b.replica ?? -1);
}
