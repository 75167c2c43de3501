import { describe, expect, it } from 'vitest';
import { formatAppDetails } from '../../../deploy/cli/get.ts';
import { parseManifestOrThrow } from '../../../control-plane/index.ts';

const app = (labels: string) =>
  parseManifestOrThrow(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: demo${labels} }
spec:
  actors: [{ id: a, behaviour: { module: ./a.ts } }]
`).app;

describe('cairn get <app>', () => {
  it('formatAppDetails - shows the application labels, and no labels line without any', () => {
    const details = (labels: string) => ({ name: 'demo', revision: 3, appliedAt: 0, source: 'app.yaml', actors: ['a'], app: app(labels), revisions: [] });
    expect(formatAppDetails(details(', labels: { team: ops, tier: edge }'), []).slice(0, 3)).toEqual([
      'application demo: revision 3, applied 1970-01-01T00:00:00.000Z from app.yaml',
      'labels: team=ops, tier=edge',
      'actors:',
    ]);
    expect(formatAppDetails(details(''), [])[1]).toBe('actors:');
  });
});
