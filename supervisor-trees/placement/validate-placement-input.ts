import { isName } from '../../protocols/index.ts';
import { instanceIdFor } from './instance-id.ts';
import type { PlacementInput } from './placement-input.ts';
import { requestKey } from './placement-request.ts';
import type { PlacementRequest } from './placement-request.ts';
import { Spread } from './spread.ts';

const SPREADS: readonly string[] = Object.values(Spread);
const NAME_HINT = 'use 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit';

function isNonNegative(n: unknown): boolean {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

/**
 * Every problem in the input, as messages that name the bad value and the fix; empty when the
 * input is usable. `current` is not checked: it is whatever was running, and placement repairs it.
 */
export function validatePlacementInput(input: PlacementInput): string[] {
  const problems: string[] = [];
  if (typeof input.now !== 'number' || !Number.isFinite(input.now)) {
    problems.push(`now ${String(input.now)} is not a finite number: pass the clock time in ms`);
  }
  if (!isNonNegative(input.nodeTimeoutMs)) {
    problems.push(`nodeTimeoutMs ${String(input.nodeTimeoutMs)} must be a finite number >= 0 (default DEFAULT_NODE_TIMEOUT_MS)`);
  }
  problems.push(...validateNodes(input));
  problems.push(...validateRequests(input));
  return problems;
}

function validateNodes(input: PlacementInput): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const node of input.nodes) {
    const at = `node ${JSON.stringify(node.id)}`;
    if (!isName(node.id)) problems.push(`${at}: id is not valid: ${NAME_HINT}`);
    if (seen.has(node.id)) problems.push(`${at}: registered twice: node ids must be unique`);
    seen.add(node.id);
    if (!isName(node.site)) problems.push(`${at}: site ${JSON.stringify(node.site)} is not valid: ${NAME_HINT}`);
    const labelSite = node.labels['site'];
    if (labelSite !== undefined && labelSite !== node.site) {
      problems.push(`${at}: label site=${labelSite} disagrees with site ${node.site}: drop the label or make them equal`);
    }
    if (!isNonNegative(node.capacity.cpu)) problems.push(`${at}: capacity.cpu ${node.capacity.cpu} must be >= 0`);
    if (!isNonNegative(node.capacity.memoryMb)) problems.push(`${at}: capacity.memoryMb ${node.capacity.memoryMb} must be >= 0`);
    if (typeof node.lastSeen !== 'number' || Number.isNaN(node.lastSeen)) {
      problems.push(`${at}: lastSeen ${String(node.lastSeen)} is not a number: pass the time of its last heartbeat in ms`);
    }
  }
  return problems;
}

function validateRequests(input: PlacementInput): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const nodeSites = [...new Set(input.nodes.map((n) => n.site))];
  // app -> instance id -> the actor that claimed it first
  const claimed = new Map<string, Map<string, string>>();
  for (const r of input.requests) {
    const at = `request ${r.app}/${r.actor}`;
    if (!isName(r.app)) problems.push(`${at}: application name ${JSON.stringify(r.app)} is not valid: ${NAME_HINT}`);
    if (!isName(r.actor)) problems.push(`${at}: actor id ${JSON.stringify(r.actor)} is not valid: ${NAME_HINT}`);
    if (seen.has(requestKey(r))) problems.push(`${at}: requested twice: merge the two into one request`);
    seen.add(requestKey(r));
    if (!SPREADS.includes(r.spread)) problems.push(`${at}: spread ${JSON.stringify(r.spread)} is not one of ${SPREADS.join(', ')}`);
    if (r.spread !== Spread.OnePerSite && !(Number.isInteger(r.replicas) && r.replicas >= 0)) {
      problems.push(`${at}: replicas ${String(r.replicas)} must be a whole number >= 0`);
    }
    if (!isNonNegative(r.resources.cpu)) problems.push(`${at}: resources.cpu ${r.resources.cpu} must be >= 0`);
    if (!isNonNegative(r.resources.memoryMb)) problems.push(`${at}: resources.memoryMb ${r.resources.memoryMb} must be >= 0`);
    for (const site of r.sites ?? []) {
      if (!isName(site)) problems.push(`${at}: site ${JSON.stringify(site)} is not valid: ${NAME_HINT}`);
    }
    for (const [k, v] of Object.entries(r.nodeSelector ?? {})) {
      if (typeof v !== 'string') problems.push(`${at}: nodeSelector ${k} must be a string, got ${JSON.stringify(v)}`);
    }
    const ids = claimed.get(r.app) ?? new Map<string, string>();
    claimed.set(r.app, ids);
    for (const id of possibleInstanceIds(r, nodeSites)) {
      if (!isName(id)) problems.push(`${at}: instance id ${JSON.stringify(id)} is not valid (too long?): shorten the actor id or site name`);
      const owner = ids.get(id);
      if (owner !== undefined && owner !== r.actor) {
        problems.push(`${at}: instance id ${id} is also an instance of actor ${owner}: rename one of the two actors`);
      }
      ids.set(id, owner ?? r.actor);
    }
  }
  return problems;
}

function possibleInstanceIds(r: PlacementRequest, nodeSites: string[]): string[] {
  if (r.spread === Spread.OnePerSite) {
    return (r.sites ?? nodeSites).map((site) => instanceIdFor(r.actor, r.spread, 0, site));
  }
  const n = Number.isInteger(r.replicas) && r.replicas > 0 ? r.replicas : 0;
  return Array.from({ length: n }, (_, i) => instanceIdFor(r.actor, r.spread, i));
}
