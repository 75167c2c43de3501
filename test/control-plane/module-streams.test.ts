import { Type } from '@sinclair/typebox';
import { DiscardPolicy, RetentionPolicy } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { isModuleStreamOf, parseManifest, parseManifestOrThrow, planModuleStreams, siteInstances } from '../../control-plane/index.ts';
import { defineActor, defineModule, moduleStreamName } from '../../kernel/index.ts';
import type { ModuleDefinition } from '../../kernel/index.ts';
import { ManifestDiagnosticCodes } from '../../protocols/index.ts';

const Buffer = defineModule({
  name: 'acme/buffer',
  description: 'buffers what goes to each peer',
  config: Type.Object({ peers: Type.Array(Type.String()), maxMsgs: Type.Optional(Type.Integer()) }, { additionalProperties: false }),
  behaviour: defineActor({ name: 'buffer', receive: () => undefined }),
  streams: (c) => c.peers.map((peer) => ({ name: peer, subjects: [`out.${peer}.>`], maxAgeMs: 60_000, ...(c.maxMsgs === undefined ? {} : { maxMsgs: c.maxMsgs }) })),
}) as unknown as ModuleDefinition;

const text = (config: string, replicas = 1): string => `apiVersion: cairn.dev/v1
kind: Application
metadata: { name: bridge }
spec:
  actors:
    - { id: buf, module: acme/buffer, replicas: ${replicas}, config: ${config} }
`;

describe('streams a module needs', () => {
  it('module streams - one per declared stream and instance on the site, bounded as declared, owned by the app', () => {
    const app = parseManifestOrThrow(text('{ peers: [a, b], maxMsgs: 100 }')).app;
    const config = { peers: ['a', 'b'], maxMsgs: 100 };
    const plan = planModuleStreams('edge1', 'bridge', siteInstances(app.spec.actors), new Map([['buf', { module: Buffer, config }]]));
    expect(plan.map((s) => s.name)).toEqual([moduleStreamName('edge1', 'buf', 'a'), moduleStreamName('edge1', 'buf', 'b')]);
    expect(plan[0]).toMatchObject({ subjects: ['out.a.>'], retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, max_age: 60_000 * 1_000_000, max_msgs: 100, max_bytes: -1 });
    expect(isModuleStreamOf(plan[0]!.metadata, 'edge1', 'bridge')).toBe(true);
    expect(isModuleStreamOf(plan[0]!.metadata, 'edge1', 'other')).toBe(false);
    expect(isModuleStreamOf(plan[0]!.metadata, 'edge2')).toBe(false);
  });

  it('module streams - none for actors whose module declares none', () => {
    const app = parseManifestOrThrow(text('{ peers: [a] }')).app;
    expect(planModuleStreams('edge1', 'bridge', siteInstances(app.spec.actors), new Map())).toEqual([]);
  });

  it('module streams - apply refuses a config whose streams would be bad, at the actor’s config', () => {
    const modules = new Map([['acme/buffer', Buffer]]);
    const bad = parseManifest(text('{ peers: [a, a, "Up", "a b"], maxMsgs: -1 }'), 'b.yaml', { modules });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(new Set(bad.errors.map((e) => `${e.path} ${e.code}`))).toEqual(new Set([`spec.actors[0].config ${ManifestDiagnosticCodes.BAD_MODULE_STREAM}`]));
    const messages = bad.errors.map((e) => e.message).join('\n');
    expect(messages).toContain('declared twice');
    expect(messages).toContain('"Up" is not valid');
    expect(messages).toContain('maxMsgs -1');
    expect(messages).toContain('cannot store subject "out.a b.>"');
    expect(parseManifest(text('{ peers: [a, b] }'), 'b.yaml', { modules }).ok).toBe(true);
  });

  it('module streams - apply refuses what would overlap on a site: two instances, two actors with the same subjects, or a route', () => {
    const modules = new Map([['acme/buffer', Buffer]]);
    const codesAt = (t: string): string[][] => {
      const r = parseManifest(t, 'b.yaml', { modules });
      return r.ok ? [] : r.errors.map((e) => [e.path, e.code]);
    };
    expect(codesAt(text('{ peers: [a] }', 2))).toEqual([['spec.actors[0].replicas', ManifestDiagnosticCodes.BAD_MODULE_STREAM]]);
    const twoActors = `${text('{ peers: [a] }')}    - { id: buf2, module: acme/buffer, config: { peers: [a] } }\n`;
    expect(codesAt(twoActors)).toEqual([['spec.actors[1].config', ManifestDiagnosticCodes.BAD_MODULE_STREAM]]);
    const withRoute = `${text('{ peers: [a] }')}    - { id: other, behaviour: { module: ./x.ts } }\n  routes:\n    - { from: { subject: out.a.x }, to: { actor: other } }\n`;
    expect(codesAt(withRoute)).toEqual([['spec.actors[0].config', ManifestDiagnosticCodes.BAD_MODULE_STREAM]]);
  });

  it('module streams - a module whose streams() returns something else is reported, not thrown on', () => {
    const broken = { ...Buffer, name: 'acme/broken', streams: () => 'nope' } as unknown as ModuleDefinition;
    const r = parseManifest(text('{ peers: [a] }').replace('acme/buffer', 'acme/broken'), 'b.yaml', { modules: new Map([['acme/broken', broken]]) });
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual([ManifestDiagnosticCodes.BAD_MODULE_STREAM]);
  });
});
