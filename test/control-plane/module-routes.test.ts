import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { parseManifest, parseManifestOrThrow, withModuleRoutes } from '../../control-plane/index.ts';
import { defineActor, defineModule } from '../../kernel/index.ts';
import type { ModuleDefinition } from '../../kernel/index.ts';
import { ManifestDiagnosticCodes } from '../../protocols/index.ts';

const Listener = defineModule({
  name: 'acme/listener',
  description: 'hears the subjects its config names',
  config: Type.Object({ subjects: Type.Array(Type.String()), topic: Type.Optional(Type.String()) }, { additionalProperties: false }),
  behaviour: defineActor({ name: 'listener', receive: () => undefined }),
  routes: (c) => [...c.subjects.map((subject) => ({ subject })), ...(c.topic === undefined ? [] : [{ mqtt: c.topic }])],
}) as unknown as ModuleDefinition;

const text = (config: string, routes = ''): string => `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: hear }
spec:
  actors:
    - { id: other, behaviour: { module: ./x.ts } }
    - { id: ear, module: acme/listener, config: ${config} }
${routes}`;

describe('routes a module needs', () => {
  it('module routes - come after the manifest’s own, one per source, to the module’s actor', () => {
    const app = parseManifestOrThrow(text('{ subjects: [a.b, c.>], topic: plant/+/temp }', '  routes:\n    - { from: { subject: x.y }, to: { actor: other } }\n')).app;
    const config = { subjects: ['a.b', 'c.>'], topic: 'plant/+/temp' };
    const out = withModuleRoutes(app, new Map([['ear', { module: Listener, config }]]));
    expect(out.spec.routes).toEqual([
      { from: { subject: 'x.y' }, to: { actor: 'other' } },
      { from: { subject: 'a.b' }, to: { actor: 'ear' } },
      { from: { subject: 'c.>' }, to: { actor: 'ear' } },
      { from: { mqtt: 'plant/+/temp' }, to: { actor: 'ear' } },
    ]);
  });

  it('module routes - one the manifest already has is not added twice; no module routes leave the app as it was', () => {
    const app = parseManifestOrThrow(text('{ subjects: [a.b] }', '  routes:\n    - { from: { subject: a.b }, to: { actor: ear } }\n')).app;
    expect(withModuleRoutes(app, new Map([['ear', { module: Listener, config: { subjects: ['a.b'] } }]])).spec.routes).toHaveLength(1);
    expect(withModuleRoutes(app, new Map())).toBe(app);
  });

  it('module routes - apply checks them as manifest routes, at the actor’s config', () => {
    const modules = new Map([['acme/listener', Listener]]);
    const bad = parseManifest(text('{ subjects: [cairn.mb.x], topic: "plant/#/x" }'), 'hear.yaml', { modules });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.map((e) => [e.path, e.code])).toEqual([
      ['spec.actors[1].config', ManifestDiagnosticCodes.BAD_ROUTE_SOURCE],
      ['spec.actors[1].config', ManifestDiagnosticCodes.BAD_ROUTE_SOURCE],
    ]);
    expect(parseManifest(text('{ subjects: [plant.temp] }'), 'hear.yaml', { modules }).ok).toBe(true);
  });
});
