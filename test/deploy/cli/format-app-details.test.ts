import { describe, expect, it } from 'vitest';
import { formatAppDetails, stateOf } from '../../../deploy/cli/get.ts';
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

  it('site state - fetching shows how much of the artifact has arrived; other states and unreachable sites as they are', () => {
    const status = (state: 'running' | 'failed' | 'fetching', extra = {}) => ({ site: 'edge1', reachable: true, status: { v: 1 as const, app: 'far', site: 'edge1', node: 'n', revision: 2, state, actors: [], updatedAt: 0, ...extra } });
    expect(stateOf(status('fetching', { progress: { bytes: 25 * 1_048_576, totalBytes: 50 * 1_048_576 } }))).toBe('fetching (25.0 MiB of 50.0 MiB)');
    expect(stateOf(status('fetching'))).toBe('fetching');
    expect(stateOf(status('running'))).toBe('running');
    expect(stateOf({ site: 'edge1', reachable: false, status: undefined })).toBe('unknown (unreachable)');
    expect(stateOf({ site: 'edge1', reachable: true, status: undefined })).toBe('not running');
  });
});
