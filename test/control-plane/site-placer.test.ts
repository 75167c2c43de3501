import { describe, expect, it } from 'vitest';
import { SitePlacer, hostedRuntime, siteInstances, sitePlacementRequest, nodeInfoOf, targetsSite } from '../../control-plane/index.ts';
import { parseManifest } from '../../control-plane/index.ts';
import type { Application } from '../../control-plane/index.ts';
import type { NodeRecord } from '../../protocols/index.ts';

function app(actors: string): Application {
  const r = parseManifest(`apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: shop }\nspec:\n  actors:\n${actors}`);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.app;
}

const NOW = 100_000;
function node(id: string, labels: Record<string, string> = {}, extra: Partial<NodeRecord> = {}): NodeRecord {
  return { v: 1, id, site: 'cloud', labels: { site: 'cloud', ...labels }, pid: 1, startedAt: 0, lastSeen: NOW, heartbeatMs: 1_000, resources: { cpus: 2, memoryMb: 1_024 }, ...extra };
}

describe('siteInstances', () => {
  it('siteInstances - replicas become <id>, <id>-1, ...; one-per-site is one instance under the bare id', () => {
    const a = app('    - { id: web, behaviour: { module: ./w.ts }, replicas: 3 }\n    - { id: gw, behaviour: { module: ./g.ts }, placement: { spread: one-per-site } }\n');
    expect(siteInstances(a.spec.actors).map((i) => [i.instanceId, i.replica])).toEqual([['web', 0], ['web-1', 1], ['web-2', 2], ['gw', 0]]);
  });
});

describe('sitePlacementRequest', () => {
  it('sitePlacementRequest - limits the request to this site and turns one-per-site into one replica here', () => {
    const a = app('    - { id: gw, behaviour: { module: ./g.ts }, placement: { spread: one-per-site, nodeSelector: { role: gateway } }, resources: { cpu: 0.5 } }\n');
    expect(sitePlacementRequest(a, a.spec.actors[0]!, 'edge1')).toEqual({ app: 'shop', actor: 'gw', replicas: 1, sites: ['edge1'], nodeSelector: { role: 'gateway' }, spread: 'none', resources: { cpu: 0.5, memoryMb: 0 } });
  });

  it('nodeInfoOf - a registry record as placement sees it: capacity from resources, the site as a label', () => {
    expect(nodeInfoOf(node('n1', { gpu: 'true' }))).toEqual({ id: 'n1', site: 'cloud', labels: { site: 'cloud', gpu: 'true' }, capacity: { cpu: 2, memoryMb: 1_024 }, lastSeen: NOW });
  });
});

describe('SitePlacer', () => {
  const placer = (nodes: NodeRecord[], now = NOW) => new SitePlacer({ site: 'cloud', nodes: () => nodes, now: () => now });

  it('SitePlacer - places on the node whose labels match the selector', () => {
    const a = app('    - { id: infer, behaviour: { module: ./i.ts }, placement: { nodeSelector: { gpu: "true" } } }\n');
    const plan = placer([node('a'), node('b', { gpu: 'true' })]).planApp(a, siteInstances(a.spec.actors));
    expect(Object.fromEntries(plan.placed)).toEqual({ infer: 'b' });
    expect(plan.unplaced).toEqual([]);
  });

  it('SitePlacer - one-per-node spreads replicas over nodes and reports the one that fits nowhere, naming each node', () => {
    const a = app('    - { id: web, behaviour: { module: ./w.ts }, replicas: 3, placement: { spread: one-per-node } }\n');
    const plan = placer([node('a'), node('b')]).planApp(a, siteInstances(a.spec.actors));
    expect([...plan.placed.values()].sort()).toEqual(['a', 'b']);
    expect(plan.unplaced).toHaveLength(1);
    expect(plan.unplaced[0]!.reasons.join(' | ')).toMatch(/node a: .*node b: /);
  });

  it('SitePlacer - resources: a replica that does not fit a node goes to one with room', () => {
    const a = app('    - { id: big, behaviour: { module: ./b.ts }, replicas: 2, resources: { memoryMb: 800 } }\n');
    const plan = placer([node('a'), node('b')]).planApp(a, siteInstances(a.spec.actors));
    expect([...plan.placed.values()].sort()).toEqual(['a', 'b']);
  });

  it('SitePlacer - an instance stays on its node while that node lives, and moves when it dies', () => {
    const nodes = [node('a'), node('b', { gpu: 'true' }), node('c', { gpu: 'true' })];
    let now = NOW;
    const p = new SitePlacer({ site: 'cloud', nodes: () => nodes, now: () => now });
    const a = app('    - { id: infer, behaviour: { module: ./i.ts }, placement: { nodeSelector: { gpu: "true" } } }\n');
    expect(p.planApp(a, siteInstances(a.spec.actors)).placed.get('infer')).toBe('b');
    expect(p.nodeFor('shop', 'infer')).toBe('b');
    // b stops heartbeating; past the node timeout it is dead and the instance moves.
    nodes[2] = node('c', { gpu: 'true' }, { lastSeen: NOW + 10_000 });
    now = NOW + 10_000;
    expect(p.nodeFor('shop', 'infer')).toBe('c');
    // Once moved it stays, even if b comes back.
    nodes[1] = node('b', { gpu: 'true' }, { lastSeen: now });
    expect(p.nodeFor('shop', 'infer')).toBe('c');
  });

  it('SitePlacer - nodeFor throws CAIRN_UNPLACED with the reasons when no node is eligible any more', () => {
    const nodes = [node('a'), node('b', { gpu: 'true' })];
    const p = new SitePlacer({ site: 'cloud', nodes: () => nodes, now: () => NOW + 60_000 });
    const a = app('    - { id: infer, behaviour: { module: ./i.ts }, placement: { nodeSelector: { gpu: "true" } } }\n');
    p.planApp(a, siteInstances(a.spec.actors));
    expect(() => p.nodeFor('shop', 'infer')).toThrow(expect.objectContaining({ code: 'CAIRN_UNPLACED', message: expect.stringMatching(/instance infer of app shop fits no node of site cloud/) }));
  });

  it('SitePlacer - only nodes of its own site count', () => {
    const a = app('    - { id: web, behaviour: { module: ./w.ts } }\n');
    const plan = placer([node('e1', {}, { site: 'edge1', labels: { site: 'edge1' } }), node('a')]).planApp(a, siteInstances(a.spec.actors));
    expect(Object.fromEntries(plan.placed)).toEqual({ web: 'a' });
  });
});

describe('hostedRuntime', () => {
  it('hostedRuntime - an inline actor placed on another node runs there as a worker of the same module and export', () => {
    const a = app('    - { id: web, behaviour: { module: ./w.ts, export: Web } }\n');
    expect(hostedRuntime(a.spec.actors[0]!, a, '/srv/app')).toEqual({ mode: 'worker', module: '/srv/app/w.ts', export: 'Web' });
  });

  it('hostedRuntime - other modes run there as they are', () => {
    const a = app('    - { id: web, behaviour: { module: ./w.ts }, mode: container, container: { image: "web:1" } }\n');
    expect(hostedRuntime(a.spec.actors[0]!, a, '/srv/app')).toMatchObject({ mode: 'container', image: 'web:1' });
  });
});

describe('targetsSite', () => {
  const gw = app('    - { id: gw, behaviour: { module: ./g.ts }, placement: { spread: one-per-site, nodeSelector: { role: gateway } } }\n').spec.actors[0]!;

  it('targetsSite - one-per-site without sites targets a site only where a registered node matches the selector', () => {
    expect(targetsSite(gw, 'cloud', [node('a')])).toBe(false);
    expect(targetsSite(gw, 'cloud', [node('a'), node('b', { role: 'gateway' })])).toBe(true);
    // A dead node still makes its site a target: its replica is missing, not unwanted.
    expect(targetsSite(gw, 'cloud', [node('b', { role: 'gateway' }, { lastSeen: 0 })])).toBe(true);
    expect(targetsSite(gw, 'cloud', [node('e', { role: 'gateway' }, { site: 'edge1', labels: { site: 'edge1', role: 'gateway' } })])).toBe(false);
  });

  it('targetsSite - other actors target every site their placement allows', () => {
    const web = app('    - { id: web, behaviour: { module: ./w.ts }, placement: { nodeSelector: { role: gateway } } }\n').spec.actors[0]!;
    expect(targetsSite(web, 'cloud', [node('a')])).toBe(true);
  });
});
