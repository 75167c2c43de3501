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
    expect(plan[0]).toMatchObject({ subjects: ['out.a.>'], retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, max_age: 60_000 * 1_000_000, max_msgs: 100 });
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
});
