import { describe, expect, it } from 'vitest';
import { SupervisorCodes } from '../../../protocols/errors/supervisor-codes.ts';
import {
  planChildExit,
  planShutdown,
  type ExitReason,
  type RestartType,
  type SupervisorState,
} from '../../../supervisor-trees/core/index.ts';
import { crash, makeState, normal, shutdown } from './make-state.ts';

describe('planChildExit - restart type x exit reason (one_for_one)', () => {
  // OTP do_restart: permanent always; transient only when abnormal; temporary never and forgotten.
  const cases: [RestartType, ExitReason, 'restart' | 'keep' | 'remove'][] = [
    ['permanent', normal, 'restart'],
    ['permanent', shutdown, 'restart'],
    ['permanent', crash, 'restart'],
    ['transient', normal, 'keep'],
    ['transient', shutdown, 'keep'],
    ['transient', crash, 'restart'],
    ['temporary', normal, 'remove'],
    ['temporary', shutdown, 'remove'],
    ['temporary', crash, 'remove'],
  ];
  for (const [restart, reason, outcome] of cases) {
    it(`planChildExit - ${restart} child exiting ${reason.type}: ${outcome}`, () => {
      const state = makeState({}, ['a', `b:${restart}`, 'c']);
      const { state: next, commands } = planChildExit(state, 'b', reason, 100);
      if (outcome === 'restart') {
        expect(commands).toEqual([{ type: 'start', ids: ['b'], delayMs: 0 }]);
        expect(next.children['b']).toMatchObject({ running: true, startedAt: 100, consecutive: 1 });
        expect(next.window).toEqual([100]);
      } else if (outcome === 'keep') {
        expect(commands).toEqual([]);
        expect(next.children['b']?.running).toBe(false);
        expect(next.order).toEqual(['a', 'b', 'c']);
        expect(next.window).toEqual([]);
      } else {
        expect(commands).toEqual([{ type: 'remove', id: 'b' }]);
        expect(next.children['b']).toBeUndefined();
        expect(next.order).toEqual(['a', 'c']);
        expect(next.window).toEqual([]);
      }
    });
  }
});

describe('planChildExit - strategies', () => {
  const ids = ['a', 'b', 'c', 'd'];

  it('planChildExit - one_for_one restarts only the failed child', () => {
    const { state, commands } = planChildExit(makeState({ strategy: 'one_for_one' }, ids), 'b', crash, 10);
    expect(commands).toEqual([{ type: 'start', ids: ['b'], delayMs: 0 }]);
    expect(state.children['a']?.startedAt).toBe(0);
  });

  it('planChildExit - one_for_all stops the others in reverse start order, then starts all in start order', () => {
    const { state, commands } = planChildExit(makeState({ strategy: 'one_for_all' }, ids), 'b', crash, 10);
    expect(commands).toEqual([
      { type: 'stop', ids: ['d', 'c', 'a'] },
      { type: 'start', ids: ['a', 'b', 'c', 'd'], delayMs: 0 },
    ]);
    expect(ids.map((id) => state.children[id]?.startedAt)).toEqual([10, 10, 10, 10]);
  });

  it('planChildExit - one_for_all counts one restart, not one per child', () => {
    const { state } = planChildExit(makeState({ strategy: 'one_for_all' }, ids), 'b', crash, 10);
    expect(state.window).toEqual([10]);
  });

  it('planChildExit - one_for_all stops temporary siblings and forgets them instead of restarting', () => {
    const { state, commands } = planChildExit(makeState({ strategy: 'one_for_all' }, ['a', 'b', 't:temporary', 'd']), 'b', crash, 10);
    expect(commands).toEqual([
      { type: 'stop', ids: ['d', 't', 'a'] },
      { type: 'remove', id: 't' },
      { type: 'start', ids: ['a', 'b', 'd'], delayMs: 0 },
    ]);
    expect(state.order).toEqual(['a', 'b', 'd']);
    expect(state.children['t']).toBeUndefined();
  });

  it('planChildExit - one_for_all does not stop a sibling that is not running, but starts it again (as OTP)', () => {
    const s0 = makeState({ strategy: 'one_for_all' }, ['a', 'b:transient', 'c']);
    const s1 = planChildExit(s0, 'b', normal, 5).state;
    const { commands } = planChildExit(s1, 'c', crash, 10);
    expect(commands).toEqual([
      { type: 'stop', ids: ['a'] },
      { type: 'start', ids: ['a', 'b', 'c'], delayMs: 0 },
    ]);
  });

  it('planChildExit - rest_for_one stops the later children in reverse and restarts from the failed one', () => {
    const { state, commands } = planChildExit(makeState({ strategy: 'rest_for_one' }, ids), 'b', crash, 10);
    expect(commands).toEqual([
      { type: 'stop', ids: ['d', 'c'] },
      { type: 'start', ids: ['b', 'c', 'd'], delayMs: 0 },
    ]);
    expect(state.children['a']?.startedAt).toBe(0);
    expect(state.children['d']?.startedAt).toBe(10);
  });

  it('planChildExit - rest_for_one on the last child restarts only it', () => {
    const { commands } = planChildExit(makeState({ strategy: 'rest_for_one' }, ids), 'd', crash, 10);
    expect(commands).toEqual([{ type: 'start', ids: ['d'], delayMs: 0 }]);
  });

  it('planChildExit - rest_for_one on the first child restarts everything', () => {
    const { commands } = planChildExit(makeState({ strategy: 'rest_for_one' }, ids), 'a', crash, 10);
    expect(commands).toEqual([
      { type: 'stop', ids: ['d', 'c', 'b'] },
      { type: 'start', ids: ['a', 'b', 'c', 'd'], delayMs: 0 },
    ]);
  });

  it('planChildExit - one_for_all does nothing to siblings when the failed child is not restarted', () => {
    const { commands } = planChildExit(makeState({ strategy: 'one_for_all' }, ['a', 'b:transient', 'c']), 'b', normal, 10);
    expect(commands).toEqual([]);
  });

  it('planChildExit - rest_for_one removes a temporary failed child without touching later ones', () => {
    const { commands } = planChildExit(makeState({ strategy: 'rest_for_one' }, ['a', 'b:temporary', 'c']), 'b', crash, 10);
    expect(commands).toEqual([{ type: 'remove', id: 'b' }]);
  });

  it('planChildExit - ignores exits of unknown or stopped children', () => {
    const state = makeState({}, ['a:transient']);
    expect(planChildExit(state, 'ghost', crash, 1)).toEqual({ state, commands: [] });
    const stopped = planChildExit(state, 'a', normal, 1).state;
    expect(planChildExit(stopped, 'a', crash, 2)).toEqual({ state: stopped, commands: [] });
  });
});

describe('planChildExit - intensity and escalation', () => {
  it('planChildExit - escalates on restart intensity+1 within the period, with no start', () => {
    let state: SupervisorState = makeState({ intensity: 3, periodMs: 5000 }, ['a', 'b']);
    const all = [0, 1000, 2000, 3000].map((now) => {
      const plan = planChildExit(state, 'a', crash, now);
      state = plan.state;
      return plan.commands;
    });
    expect(all.slice(0, 3).every((cmds) => cmds[0]?.type === 'start')).toBe(true);
    expect(all[3]).toEqual([
      {
        type: 'escalate',
        reason: { type: 'error', error: expect.stringContaining('child "a" failed: boom'), code: SupervisorCodes.SUPERVISOR_INTENSITY_EXCEEDED },
      },
    ]);
    expect(state.children['a']?.running).toBe(false);
    expect(planShutdown(state)).toEqual([{ type: 'stop', ids: ['b'] }]);
  });

  it('planChildExit - restarts spread beyond the period never escalate', () => {
    let state: SupervisorState = makeState({ intensity: 3, periodMs: 5000 }, ['a']);
    for (let now = 0; now <= 40_000; now += 2000) {
      const plan = planChildExit(state, 'a', crash, now);
      expect(plan.commands.map((c) => c.type)).toEqual(['start']);
      state = plan.state;
    }
  });

  it('planChildExit - intensity 0 escalates on the first restart', () => {
    const { commands } = planChildExit(makeState({ intensity: 0 }, ['a']), 'a', crash, 0);
    expect(commands.map((c) => c.type)).toEqual(['escalate']);
  });

  it('planChildExit - exits that restart nothing are not counted towards intensity', () => {
    let state: SupervisorState = makeState({ intensity: 0 }, ['t:transient', 'x:temporary']);
    const first = planChildExit(state, 't', normal, 0);
    state = first.state;
    const second = planChildExit(state, 'x', crash, 1);
    expect([...first.commands, ...second.commands].map((c) => c.type)).toEqual(['remove']);
    expect(second.state.window).toEqual([]);
  });

  it('planChildExit - escalation with one_for_all stops nothing itself and starts nothing', () => {
    const { commands } = planChildExit(makeState({ strategy: 'one_for_all', intensity: 0 }, ['a', 'b']), 'a', crash, 0);
    expect(commands).toHaveLength(1);
    expect(commands[0]?.type).toBe('escalate');
  });
});

describe('planChildExit - backoff', () => {
  const backoff = { initialMs: 100, maxMs: 400, multiplier: 2, resetAfterMs: 1000 };

  it('planChildExit - without backoff restarts at once', () => {
    const { commands } = planChildExit(makeState({}, ['a']), 'a', crash, 50);
    expect(commands).toEqual([{ type: 'start', ids: ['a'], delayMs: 0 }]);
  });

  it('planChildExit - delays grow with consecutive failures and are capped', () => {
    let state: SupervisorState = makeState({ intensity: 100, backoff }, ['a']);
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 5; i++) {
      now = (state.children['a']?.startedAt ?? 0) + 10; // fails 10ms after each (delayed) start
      const plan = planChildExit(state, 'a', crash, now);
      const start = plan.commands.find((c) => c.type === 'start');
      delays.push(start?.type === 'start' ? start.delayMs : -1);
      state = plan.state;
    }
    expect(delays).toEqual([100, 200, 400, 400, 400]);
    expect(state.children['a']?.consecutive).toBe(5);
    expect(state.children['a']?.startedAt).toBe(now + 400);
  });

  it('planChildExit - the streak starts over once the child ran longer than resetAfterMs', () => {
    let state: SupervisorState = makeState({ intensity: 100, backoff }, ['a']);
    state = planChildExit(state, 'a', crash, 10).state; // restarts at 110
    state = planChildExit(state, 'a', crash, 120).state; // restarts at 320
    const { commands, state: next } = planChildExit(state, 'a', crash, 320 + 1001);
    expect(commands).toEqual([{ type: 'start', ids: ['a'], delayMs: 100 }]);
    expect(next.children['a']?.consecutive).toBe(1);
  });

  it("planChildExit - one_for_all delays every start by the failed child's backoff", () => {
    let state: SupervisorState = makeState({ strategy: 'one_for_all', intensity: 100, backoff }, ['a', 'b']);
    state = planChildExit(state, 'b', crash, 10).state;
    const { commands, state: next } = planChildExit(state, 'b', crash, 120);
    expect(commands.at(-1)).toEqual({ type: 'start', ids: ['a', 'b'], delayMs: 200 });
    expect(next.children['a']).toMatchObject({ consecutive: 0, startedAt: 320 });
  });
});
