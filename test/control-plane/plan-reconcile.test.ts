import { describe, expect, it } from 'vitest';
import { parseManifestOrThrow } from '../../control-plane/index.ts';
import type { Application } from '../../control-plane/index.ts';
import { actorsForSite, planReconcile, siteFingerprint } from '../../control-plane/index.ts';
import type { DesiredApp, RunningApp } from '../../control-plane/index.ts';

function app(name: string, actors: { id: string; sites?: string[]; greeting?: string }[], strategy = 'one_for_one'): Application {
  const list = actors
    .map((a) => `    - id: ${a.id}\n      behaviour: { module: ./greeter.ts }\n      config: { greeting: ${a.greeting ?? 'hi'} }\n${a.sites ? `      placement: { sites: [${a.sites.join(', ')}] }\n` : ''}`)
    .join('');
  return parseManifestOrThrow(`apiVersion: cairn.dev/v1\nkind: Application\nmetadata: { name: ${name}, labels: { v: "1" } }\nspec:\n  supervisor: { strategy: ${strategy} }\n  actors:\n${list}`).app;
}

const desired = (...apps: [Application, number][]): Map<string, DesiredApp> => new Map(apps.map(([a, revision]) => [a.metadata.name, { app: a, revision }]));
const running = (site: string, ...apps: [Application, number][]): Map<string, RunningApp> =>
  new Map(apps.map(([a, revision]) => [a.metadata.name, { revision, fingerprint: siteFingerprint(a, site) }]));

describe('planReconcile', () => {
  it('planReconcile - starts a new app with only the actors placed on this site', () => {
    const a = app('shop', [{ id: 'everywhere' }, { id: 'edge-only', sites: ['edge1'] }, { id: 'cloud-only', sites: ['cloud'] }]);
    const [cmd, ...rest] = planReconcile(desired([a, 3]), new Map(), 'edge1');
    expect(rest).toEqual([]);
    expect(cmd).toMatchObject({ type: 'start', name: 'shop', revision: 3 });
    expect(cmd?.type === 'start' && cmd.actors.map((x) => x.id)).toEqual(['everywhere', 'edge-only']);
  });

  it('planReconcile - an app with no actor for this site is not started', () => {
    expect(planReconcile(desired([app('shop', [{ id: 'a', sites: ['cloud'] }]), 1]), new Map(), 'edge1')).toEqual([]);
  });

  it('planReconcile - a site that matches gets no commands', () => {
    const a = app('shop', [{ id: 'a' }]);
    expect(planReconcile(desired([a, 5]), running('edge1', [a, 5]), 'edge1')).toEqual([]);
  });

  it('planReconcile - a route to an actor here replaces the tree; a route to another site\u2019s actor does not', () => {
    const base = app('shop', [{ id: 'here' }, { id: 'there', sites: ['cloud'] }]);
    const withRoute = (target: string): Application => ({ ...base, spec: { ...base.spec, routes: [{ from: { subject: 'shop.>' }, to: { actor: target } }] } });
    expect(planReconcile(desired([withRoute('here'), 6]), running('edge1', [base, 5]), 'edge1')).toMatchObject([{ type: 'replace', name: 'shop', revision: 6 }]);
    expect(planReconcile(desired([withRoute('there'), 6]), running('edge1', [base, 5]), 'edge1')).toEqual([{ type: 'adopt', name: 'shop', revision: 6 }]);
  });

  it('planReconcile - a changed actor on this site replaces the tree', () => {
    const v1 = app('shop', [{ id: 'a', greeting: 'hi' }]);
    const v2 = app('shop', [{ id: 'a', greeting: 'ho' }]);
    expect(planReconcile(desired([v2, 6]), running('edge1', [v1, 5]), 'edge1')).toMatchObject([{ type: 'replace', name: 'shop', revision: 6 }]);
  });

  it('planReconcile - changed supervisor flags replace the tree', () => {
    const v1 = app('shop', [{ id: 'a' }]);
    const v2 = app('shop', [{ id: 'a' }], 'one_for_all');
    expect(planReconcile(desired([v2, 6]), running('edge1', [v1, 5]), 'edge1')).toMatchObject([{ type: 'replace' }]);
  });

  it('planReconcile - a revision that only changes another site is adopted without a restart', () => {
    const v1 = app('shop', [{ id: 'a', sites: ['edge1'] }, { id: 'b', sites: ['cloud'], greeting: 'x' }]);
    const v2 = app('shop', [{ id: 'a', sites: ['edge1'] }, { id: 'b', sites: ['cloud'], greeting: 'y' }]);
    expect(planReconcile(desired([v2, 9]), running('edge1', [v1, 5]), 'edge1')).toEqual([{ type: 'adopt', name: 'shop', revision: 9 }]);
  });

  it('planReconcile - a deleted app is stopped; an app moved away from this site is stopped', () => {
    const gone = app('gone', [{ id: 'a' }]);
    const moved = app('moved', [{ id: 'b', sites: ['edge1'] }]);
    const movedAway = app('moved', [{ id: 'b', sites: ['edge2'] }]);
    expect(planReconcile(desired([movedAway, 8]), running('edge1', [gone, 2], [moved, 3]), 'edge1')).toEqual([
      { type: 'stop', name: 'gone', reason: 'deleted' },
      { type: 'stop', name: 'moved', reason: 'not-targeted' },
    ]);
  });

  it('planReconcile - stops come before replaces and starts, each in name order', () => {
    const a1 = app('a', [{ id: 'x', greeting: '1' }]);
    const a2 = app('a', [{ id: 'x', greeting: '2' }]);
    const b = app('b', [{ id: 'y' }]);
    const c = app('c', [{ id: 'z' }]);
    const z = app('z', [{ id: 'w' }]);
    const types = planReconcile(desired([c, 4], [b, 3], [a2, 2]), running('s', [z, 1], [a1, 1]), 's').map((c) => `${c.type}:${c.name}`);
    expect(types).toEqual(['stop:z', 'replace:a', 'start:b', 'start:c']);
  });

  it('actorsForSite - placement.sites absent means every site', () => {
    const a = app('shop', [{ id: 'any' }, { id: 'two', sites: ['e1', 'e2'] }]);
    expect(actorsForSite(a, 'e2').map((x) => x.id)).toEqual(['any', 'two']);
    expect(actorsForSite(a, 'cloud').map((x) => x.id)).toEqual(['any']);
  });
});
