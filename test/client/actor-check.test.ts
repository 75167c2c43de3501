import { describe, expect, it } from 'vitest';
import { checkActor } from '../../client/index.ts';
import type { NodeQuery } from '../../client/index.ts';
import type { ActorInfo } from '../../protocols/index.ts';

const actor = (id: string, site: string, node = 'n1'): ActorInfo =>
  ({ id, site, node, behaviour: id, mode: 'inline', status: 'running', restarts: 0, handled: 0, failed: 0, skipped: 0, expired: 0, overflowed: 0, queued: 0, startedAt: 0, supervisor: 'root' }) as ActorInfo;
const query = (results: ActorInfo[], more: Partial<NodeQuery<ActorInfo>> = {}): NodeQuery<ActorInfo> => ({ results, offline: [], failures: [], ...more });

describe('checkActor', () => {
  it('checkActor - an actor a live node of its site runs is running there', () => {
    expect(checkActor('greeter', 'local', query([actor('greeter', 'local', 'n2')]))).toEqual({ kind: 'running', node: 'n2' });
  });

  it('checkActor - a missing actor is named missing, with the closest id running on its site (not on another site)', () => {
    const q = query([actor('greeter', 'local'), actor('counter', 'local'), actor('greeter2', 'edge1')]);
    expect(checkActor('greter', 'local', q)).toEqual({ kind: 'missing', suggestion: 'greeter' });
    expect(checkActor('zzz', 'local', q)).toEqual({ kind: 'missing' });
    expect(checkActor('greeter2', 'local', q)).toEqual({ kind: 'missing', suggestion: 'greeter' });
  });

  it('checkActor - an offline site or a node that did not answer leaves the answer open', () => {
    const offline = query([actor('greeter', 'cloud')], { offline: [{ site: 'edge1', nodes: 1, live: 0, online: false, lastSeen: 0 }] });
    expect(checkActor('sensor', 'edge1', offline)).toMatchObject({ kind: 'unknown', why: expect.stringContaining('no node of site "edge1" is alive') });
    const silent = query([], { failures: [new Error('node "n2" did not answer')] });
    expect(checkActor('greeter', 'local', silent)).toMatchObject({ kind: 'unknown', why: expect.stringContaining('did not answer') });
  });
});
