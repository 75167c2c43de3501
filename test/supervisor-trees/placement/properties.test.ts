import { describe, expect, it } from 'vitest';
import { isNodeAlive, place } from '../../../supervisor-trees/placement/index.ts';
import type { Assignment, NodeInfo, PlacementCommand, PlacementInput, PlacementRequest } from '../../../supervisor-trees/placement/index.ts';

/** mulberry32: a tiny seeded PRNG, so a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SITES = ['cloud', 'edge1', 'edge2', 'edge3'];
const NOW = 100_000;
const TIMEOUT = 3_000;

function generate(seed: number): PlacementInput {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const subset = (xs: readonly string[]): string[] => xs.filter(() => r() < 0.5);

  const nodes: NodeInfo[] = Array.from({ length: 1 + int(7) }, (_, i) => {
    const site = pick(SITES);
    const labels: Record<string, string> = { site, arch: pick(['arm64', 'amd64']), os: 'linux' };
    if (r() < 0.4) labels['gpu'] = pick(['true', 'false']);
    return {
      id: `n${i}`,
      site,
      labels,
      capacity: { cpu: pick([0, 0.5, 1, 2, 4]), memoryMb: pick([0, 256, 512, 1024, 4096]) },
      lastSeen: NOW - pick([0, 1000, TIMEOUT, TIMEOUT + 1, 10_000]),
      ...(r() < 0.15 ? { draining: true } : {}),
    };
  });
  const requests: PlacementRequest[] = Array.from({ length: int(6) }, (_, i) => ({
    app: pick(['shop', 'farm']),
    actor: `a${i}`,
    replicas: int(5),
    spread: pick(['none', 'one-per-site', 'one-per-node'] as const),
    resources: { cpu: pick([0, 0.25, 0.5, 1, 2]), memoryMb: pick([0, 64, 256, 1024]) },
    ...(r() < 0.4 ? { sites: subset(SITES) } : {}),
    ...(r() < 0.3 ? { nodeSelector: pick<Record<string, string>>([{ gpu: 'true' }, { arch: 'arm64' }, { site: 'edge1' }]) } : {}),
  }));
  // A plausible "current": the placement of a perturbed world (other clock, some requests gone),
  // plus an instance on a node that no longer exists.
  let current: Assignment[] = [];
  if (r() < 0.7) {
    const earlier: PlacementInput = {
      requests: requests.filter(() => r() < 0.8).map((q) => ({ ...q, replicas: int(5) })),
      nodes: nodes.map((n) => ({ ...n, lastSeen: NOW - pick([0, 0, 10_000]), draining: false })),
      current: [],
      now: NOW,
      nodeTimeoutMs: TIMEOUT,
    };
    current = place(earlier).assignments;
    if (r() < 0.3) current.push({ app: 'shop', actor: 'ghost', replica: 0, instanceId: 'ghost', site: 'cloud', node: 'gone' });
  }
  return { requests, nodes, current, now: NOW, nodeTimeoutMs: TIMEOUT };
}

function applyCommands(current: Assignment[], commands: PlacementCommand[]): string[] {
  const key = (a: Assignment): string => JSON.stringify([a.app, a.actor, a.replica, a.instanceId, a.node]);
  const set = new Map<string, number>();
  const bump = (a: Assignment, d: number): void => {
    set.set(key(a), (set.get(key(a)) ?? 0) + d);
  };
  for (const a of current) bump(a, 1);
  for (const c of commands) {
    if (c.type === 'start') bump(c.assignment, 1);
    else if (c.type === 'stop') bump(c.assignment, -1);
    else {
      bump(c.from, -1);
      bump(c.to, 1);
    }
  }
  return [...set].filter(([, n]) => n > 0).map(([k]) => k).sort();
}

const SEEDS = Array.from({ length: 400 }, (_, i) => i + 1);

describe('place properties', () => {
  it('place - no node is ever over capacity (400 random inputs)', () => {
    for (const seed of SEEDS) {
      const inp = generate(seed);
      const out = place(inp);
      for (const n of inp.nodes) {
        const on = out.assignments.filter((a) => a.node === n.id);
        const req = (a: Assignment): PlacementRequest => inp.requests.find((q) => q.app === a.app && q.actor === a.actor)!;
        const cpu = on.reduce((s, a) => s + req(a).resources.cpu, 0);
        const mem = on.reduce((s, a) => s + req(a).resources.memoryMb, 0);
        expect(cpu, `seed ${seed} node ${n.id}`).toBeLessThanOrEqual(n.capacity.cpu + 1e-9);
        expect(mem, `seed ${seed} node ${n.id}`).toBeLessThanOrEqual(n.capacity.memoryMb + 1e-9);
      }
    }
  });

  it('place - every assignment is on an alive, non-draining node that satisfies sites and selector', () => {
    for (const seed of SEEDS) {
      const inp = generate(seed);
      for (const a of place(inp).assignments) {
        const n = inp.nodes.find((x) => x.id === a.node)!;
        const q = inp.requests.find((x) => x.app === a.app && x.actor === a.actor)!;
        const ctx = `seed ${seed} ${a.app}/${a.instanceId}`;
        expect(n, ctx).toBeDefined();
        expect(isNodeAlive(n, inp.now, inp.nodeTimeoutMs), ctx).toBe(true);
        expect(n.draining ?? false, ctx).toBe(false);
        expect(a.site, ctx).toBe(n.site);
        if (q.sites) expect(q.sites, ctx).toContain(n.site);
        for (const [k, v] of Object.entries(q.nodeSelector ?? {})) expect({ ...n.labels, site: n.site }[k], ctx).toBe(v);
        if (q.spread === 'one-per-site') expect(a.instanceId, ctx).toBe(`${q.actor}-${n.site}`);
      }
    }
  });

  it('place - one-per-node never puts two replicas of an actor on one node; one-per-site never two on a site', () => {
    for (const seed of SEEDS) {
      const inp = generate(seed);
      const out = place(inp);
      for (const q of inp.requests) {
        const mine = out.assignments.filter((a) => a.app === q.app && a.actor === q.actor);
        if (q.spread === 'one-per-node') expect(new Set(mine.map((a) => a.node)).size, `seed ${seed}`).toBe(mine.length);
        if (q.spread === 'one-per-site') expect(new Set(mine.map((a) => a.site)).size, `seed ${seed}`).toBe(mine.length);
        if (q.spread !== 'one-per-site') {
          const placed = mine.length + out.unplaced.filter((u) => u.app === q.app && u.actor === q.actor).length;
          expect(placed, `seed ${seed}`).toBe(q.replicas);
        }
      }
    }
  });

  it('place - re-running on its own output produces no commands and the same assignments', () => {
    for (const seed of SEEDS) {
      const inp = generate(seed);
      const out = place(inp);
      const again = place({ ...inp, current: out.assignments });
      expect(again.commands, `seed ${seed}`).toEqual([]);
      expect(again.assignments, `seed ${seed}`).toEqual(out.assignments);
    }
  });

  it('place - applying the commands to current yields exactly the new assignments', () => {
    for (const seed of SEEDS) {
      const inp = generate(seed);
      const out = place(inp);
      const expected = out.assignments
        .map((a) => JSON.stringify([a.app, a.actor, a.replica, a.instanceId, a.node]))
        .sort();
      // Kept assignments may be renumbered canonically; compare on the instance identity and node.
      const strip = (xs: string[]): string[] => xs.map((x) => { const [app, actor, , id, node] = JSON.parse(x) as unknown[]; return JSON.stringify([app, actor, id, node]); }).sort();
      expect(strip(applyCommands(inp.current, out.commands)), `seed ${seed}`).toEqual(strip(expected));
    }
  });

  it('place - the answer does not depend on input order', () => {
    for (const seed of SEEDS.slice(0, 100)) {
      const inp = generate(seed);
      const shuffled = { ...inp, requests: [...inp.requests].reverse(), nodes: [...inp.nodes].reverse(), current: [...inp.current].reverse() };
      expect(place(shuffled), `seed ${seed}`).toEqual(place(inp));
    }
  });

  it('place - every unplaced entry gives at least one reason', () => {
    for (const seed of SEEDS) {
      for (const u of place(generate(seed)).unplaced) expect(u.reasons.length, `seed ${seed}`).toBeGreaterThan(0);
    }
  });
});
