import { describe, expect, it } from 'vitest';
import { SupervisorCodes } from '../../../protocols/errors/supervisor-codes.ts';
import { addChild, planChildExit, removeChild, type SupervisorState } from '../../../supervisor-trees/core/index.ts';
import { crash, makeState, normal } from './make-state.ts';

function added(state: SupervisorState, id: string, restart: 'permanent' | 'transient' | 'temporary', now = 0): SupervisorState {
  const result = addChild(state, { id, restart }, now);
  if (!result.ok) throw new Error(result.problems[0]?.message);
  return result.value.state;
}

describe('addChild', () => {
  it('addChild - appends to start order and starts the child', () => {
    const result = addChild(makeState({ strategy: 'simple_one_for_one' }, ['w1']), { id: 'w2', restart: 'transient' }, 50);
    expect(result.ok && result.value.commands).toEqual([{ type: 'start', ids: ['w2'], delayMs: 0 }]);
    expect(result.ok && result.value.state.order).toEqual(['w1', 'w2']);
    expect(result.ok && result.value.state.children['w2']).toEqual({ id: 'w2', restart: 'transient', running: true, consecutive: 0, startedAt: 50 });
  });

  it('addChild - rejects an id already in use', () => {
    const result = addChild(makeState({}, ['w1']), { id: 'w1', restart: 'permanent' }, 0);
    expect(result.ok ? [] : result.problems.map((p) => p.code)).toEqual([SupervisorCodes.DUPLICATE_CHILD_ID]);
  });

  it('addChild - a child added to rest_for_one restarts with an earlier sibling', () => {
    const state = added(makeState({ strategy: 'rest_for_one' }, ['a', 'b']), 'late', 'permanent');
    expect(planChildExit(state, 'b', crash, 10).commands).toEqual([
      { type: 'stop', ids: ['late'] },
      { type: 'start', ids: ['b', 'late'], delayMs: 0 },
    ]);
  });
});

describe('simple_one_for_one', () => {
  it('simple_one_for_one - restarts only the failed dynamic child', () => {
    let state = makeState({ strategy: 'simple_one_for_one' }, []);
    for (const id of ['w1', 'w2', 'w3']) state = added(state, id, 'permanent');
    expect(planChildExit(state, 'w2', crash, 10).commands).toEqual([{ type: 'start', ids: ['w2'], delayMs: 0 }]);
  });

  it('simple_one_for_one - forgets a transient child that exited normally', () => {
    const state = added(makeState({ strategy: 'simple_one_for_one' }, []), 'w1', 'transient');
    const plan = planChildExit(state, 'w1', normal, 10);
    expect(plan.commands).toEqual([{ type: 'remove', id: 'w1' }]);
    expect(plan.state.order).toEqual([]);
  });

  it('simple_one_for_one - escalates like the other strategies', () => {
    const state = added(makeState({ strategy: 'simple_one_for_one', intensity: 0 }, []), 'w1', 'permanent');
    expect(planChildExit(state, 'w1', crash, 10).commands.map((c) => c.type)).toEqual(['escalate']);
  });
});

describe('removeChild', () => {
  it('removeChild - stops a running child, then forgets it', () => {
    const plan = removeChild(makeState({}, ['a', 'b']), 'a');
    expect(plan.commands).toEqual([{ type: 'stop', ids: ['a'] }, { type: 'remove', id: 'a' }]);
    expect(plan.state.order).toEqual(['b']);
    expect(plan.state.children['a']).toBeUndefined();
  });

  it('removeChild - only forgets a child that is not running', () => {
    const stopped = planChildExit(makeState({}, ['a:transient']), 'a', normal, 1).state;
    expect(removeChild(stopped, 'a').commands).toEqual([{ type: 'remove', id: 'a' }]);
  });

  it('removeChild - an unknown id changes nothing', () => {
    const state = makeState({}, ['a']);
    expect(removeChild(state, 'ghost')).toEqual({ state, commands: [] });
  });
});

describe('dynamic children in place', () => {
  it('addChild - inPlace updates and returns the same state, with the same result as a copy', () => {
    const flags = { strategy: 'simple_one_for_one' as const, intensity: 3, periodMs: 5000 };
    const fresh = (): SupervisorState => ({ flags, order: [], children: {}, window: [] });
    const copy = addChild(fresh(), { id: 'a', restart: 'temporary' }, 7);
    const owned = fresh();
    const inPlace = addChild(owned, { id: 'a', restart: 'temporary' }, 7, { inPlace: true });
    if (!inPlace.ok || !copy.ok) throw new Error('addChild failed');
    expect(inPlace.value.state).toBe(owned);
    expect(inPlace.value).toEqual(copy.value);
    const removed = removeChild(owned, 'a', { inPlace: true });
    expect(removed.state).toBe(owned);
    expect(owned.order).toEqual([]);
    expect(owned.children).toEqual({});
    expect(removed.commands).toEqual([{ type: 'stop', ids: ['a'] }, { type: 'remove', id: 'a' }]);
  });
});
