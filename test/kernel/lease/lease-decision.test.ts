import { describe, expect, it } from 'vitest';
import { afterFailedRenewal, leaseStep, observeLease } from '../../../kernel/lease/index.ts';
import type { LeaseView } from '../../../kernel/lease/index.ts';

const me = { node: 'b', incarnation: 'run-2' };
const other = { node: 'a', incarnation: 'run-1' };
const TTL = 5_000;

describe('leaseStep', () => {
  it('creates the lease when there is none', () => {
    expect(leaseStep({ seenSince: 0 }, me, 10, TTL)).toEqual({ action: 'create' });
  });

  it('renews a lease this run holds, at its revision', () => {
    expect(leaseStep({ record: { holder: me, revision: 7 }, seenSince: 0 }, me, 60_000, TTL)).toEqual({ action: 'renew', revision: 7 });
  });

  it('claims at once a lease held by an earlier run of the same node', () => {
    const step = leaseStep({ record: { holder: { node: 'b', incarnation: 'run-1' }, revision: 3 }, seenSince: 1_000 }, me, 1_001, TTL);
    expect(step).toMatchObject({ action: 'claim', revision: 3 });
    expect(step.action === 'claim' && step.why).toMatch(/earlier run of this node/);
  });

  it("waits while another node's lease changed within the ttl, saying for how long", () => {
    expect(leaseStep({ record: { holder: other, revision: 3 }, seenSince: 1_000 }, me, 4_000, TTL)).toEqual({ action: 'wait', holder: other, expiresInMs: 2_000 });
  });

  it("claims another node's lease once it has not changed for the ttl", () => {
    const step = leaseStep({ record: { holder: other, revision: 3 }, seenSince: 1_000 }, me, 6_000, TTL);
    expect(step).toMatchObject({ action: 'claim', revision: 3 });
    expect(step.action === 'claim' && step.why).toMatch(/node a has not renewed the lease for 5000 ms/);
  });

  it('does not claim one millisecond before the ttl', () => {
    expect(leaseStep({ record: { holder: other, revision: 3 }, seenSince: 1_000 }, me, 5_999, TTL).action).toBe('wait');
  });
});

describe('observeLease', () => {
  it('keeps the first-seen time while the revision stays the same', () => {
    const first = observeLease(undefined, { holder: other, revision: 3 }, 100);
    const later = observeLease(first, { holder: other, revision: 3 }, 5_000);
    expect(later.seenSince).toBe(100);
  });

  it('restarts the clock when the holder renewed (a new revision)', () => {
    const first = observeLease(undefined, { holder: other, revision: 3 }, 100);
    expect(observeLease(first, { holder: other, revision: 4 }, 900).seenSince).toBe(900);
  });

  it('restarts the clock when the record disappears and comes back', () => {
    const first = observeLease(undefined, { holder: other, revision: 3 }, 100);
    const gone: LeaseView = observeLease(first, undefined, 200);
    expect(gone.record).toBeUndefined();
    expect(observeLease(gone, { holder: other, revision: 3 }, 300).seenSince).toBe(300);
  });

  it('judges expiry on the observer clock only: a standby that saw the record late waits a full ttl', () => {
    // The record may be old on the writer's clock; what counts is when this node first saw this revision.
    const view = observeLease(undefined, { holder: other, revision: 9 }, 50_000);
    expect(leaseStep(view, me, 50_000 + TTL - 1, TTL).action).toBe('wait');
    expect(leaseStep(view, me, 50_000 + TTL, TTL).action).toBe('claim');
  });
});

describe('afterFailedRenewal', () => {
  it('keeps leading while the server cannot be read: nobody else can claim a lease on an unreachable server', () => {
    expect(afterFailedRenewal(undefined, me, 7)).toEqual({ action: 'retry' });
  });

  it('steps down when another node holds the record', () => {
    expect(afterFailedRenewal({ record: { holder: other, revision: 9 } }, me, 7)).toEqual({ action: 'lost', why: 'node a holds the site lease now', holder: 'a' });
  });

  it('steps down when another run of this same node id holds it (two processes with one id)', () => {
    expect(afterFailedRenewal({ record: { holder: { node: 'b', incarnation: 'run-9' }, revision: 9 } }, me, 7).action).toBe('lost');
  });

  it('adopts the stored revision when the record is still this run\'s (a lost answer to a renewal)', () => {
    expect(afterFailedRenewal({ record: { holder: me, revision: 8 } }, me, 7)).toEqual({ action: 'adopt', revision: 8 });
  });

  it('retries when the record is this run\'s at the same revision (the write itself failed)', () => {
    expect(afterFailedRenewal({ record: { holder: me, revision: 7 } }, me, 7)).toEqual({ action: 'retry' });
  });

  it('recreates a record that is gone (deleted, or a rebuilt store)', () => {
    expect(afterFailedRenewal({ record: undefined }, me, 7)).toEqual({ action: 'recreate' });
  });
});
