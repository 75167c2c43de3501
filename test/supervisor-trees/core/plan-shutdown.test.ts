import { describe, expect, it } from 'vitest';
import { planChildExit, planShutdown, planStartAll } from '../../../supervisor-trees/core/index.ts';
import { makeState, normal } from './make-state.ts';

describe('planStartAll', () => {
  it('planStartAll - starts every child in start order at once', () => {
    expect(planStartAll(makeState({}, ['db', 'cache', 'web']))).toEqual([{ type: 'start', ids: ['db', 'cache', 'web'], delayMs: 0 }]);
  });

  it('planStartAll - plans nothing for a supervisor without children', () => {
    expect(planStartAll(makeState({}, []))).toEqual([]);
  });
});

describe('planShutdown', () => {
  it('planShutdown - stops every child in reverse start order', () => {
    expect(planShutdown(makeState({}, ['db', 'cache', 'web']))).toEqual([{ type: 'stop', ids: ['web', 'cache', 'db'] }]);
  });

  it('planShutdown - skips children that are not running', () => {
    const state = planChildExit(makeState({}, ['db', 'cache:transient', 'web']), 'cache', normal, 1).state;
    expect(planShutdown(state)).toEqual([{ type: 'stop', ids: ['web', 'db'] }]);
  });

  it('planShutdown - plans nothing when nothing runs', () => {
    expect(planShutdown(makeState({}, []))).toEqual([]);
  });
});
