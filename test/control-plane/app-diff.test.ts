import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffApps, formatAppDiff, parseManifestOrThrow } from '../../control-plane/index.ts';
import type { Application } from '../../control-plane/index.ts';

const text = readFileSync(fileURLToPath(new URL('../../examples/apply/hello-app.yaml', import.meta.url)), 'utf8');
const app = (t: string): Application => parseManifestOrThrow(t, 'hello-app.yaml').app;

describe('app diff', () => {
  it('diffApps - an app not stored yet adds every actor', () => {
    const d = diffApps(undefined, app(text));
    expect(d).toMatchObject({ name: 'hello', changed: true, removed: [], modified: [], other: [] });
    expect(d.added).toEqual([{ id: 'greeter' }, { id: 'edge-greeter', sites: ['edge1'] }]);
    expect(formatAppDiff(d)).toEqual(['application "hello" would be created', '  + actor greeter (every site)', '  + actor edge-greeter (sites edge1)']);
  });

  it('diffApps - the same app changes nothing, whatever the key order it was written in', () => {
    const d = diffApps({ app: app(text), revision: 7 }, app(text));
    expect(d).toMatchObject({ changed: false, currentRevision: 7, added: [], removed: [], modified: [], other: [] });
    expect(formatAppDiff(d)).toEqual(['application "hello" unchanged (revision 7)']);
  });

  it('diffApps - names the actors changed, added and removed, and other parts that differ', () => {
    const next = app(text.replace('greeting: hello', 'greeting: hej'));
    const withoutEdge: Application = { ...next, metadata: { ...next.metadata, labels: { team: 'x' } }, spec: { ...next.spec, actors: next.spec.actors.filter((a) => a.id !== 'edge-greeter') } };
    const d = diffApps({ app: app(text), revision: 3 }, withoutEdge);
    expect(d).toMatchObject({ changed: true, currentRevision: 3, added: [], modified: [{ id: 'greeter' }], removed: [{ id: 'edge-greeter', sites: ['edge1'] }], other: ['metadata'] });
    expect(formatAppDiff(d)).toEqual(['application "hello" would change: revision 3 -> a new revision', '  - actor edge-greeter (sites edge1)', '  ~ actor greeter (every site)', '  ~ metadata']);
  });
});
