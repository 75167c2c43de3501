import { describe, expect, it } from 'vitest';
import { SupervisorCodes } from '../../../protocols/errors/supervisor-codes.ts';
import { DEFAULT_BACKOFF, DEFAULT_FLAGS, resolveFlags } from '../../../supervisor-trees/core/index.ts';

function problemsOf(input: unknown) {
  const result = resolveFlags(input);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.value)}`);
  return result.problems;
}

describe('resolveFlags', () => {
  it('resolveFlags - undefined gives the defaults (one_for_one, 3 in 5000ms, no backoff)', () => {
    expect(resolveFlags(undefined)).toEqual({ ok: true, value: { strategy: 'one_for_one', intensity: 3, periodMs: 5000 } });
    expect(DEFAULT_FLAGS).toEqual({ strategy: 'one_for_one', intensity: 3, periodMs: 5000 });
  });

  it('resolveFlags - merges given fields over the defaults', () => {
    expect(resolveFlags({ strategy: 'rest_for_one', intensity: 0 })).toEqual({
      ok: true,
      value: { strategy: 'rest_for_one', intensity: 0, periodMs: 5000 },
    });
  });

  it('resolveFlags - fields set to undefined take the default', () => {
    expect(resolveFlags({ strategy: undefined })).toEqual({ ok: true, value: DEFAULT_FLAGS });
  });

  it('resolveFlags - fills left-out backoff fields from DEFAULT_BACKOFF', () => {
    const result = resolveFlags({ backoff: { initialMs: 50 } });
    expect(result).toEqual({ ok: true, value: { ...DEFAULT_FLAGS, backoff: { ...DEFAULT_BACKOFF, initialMs: 50 } } });
  });

  it('resolveFlags - gathers every problem at once, with paths, codes and the bad values', () => {
    const problems = problemsOf({ strategy: 'one_for_some', intensity: -1, periodMs: 0 });
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['flags.strategy', SupervisorCodes.INVALID_STRATEGY],
      ['flags.intensity', SupervisorCodes.INVALID_INTENSITY],
      ['flags.periodMs', SupervisorCodes.INVALID_PERIOD],
    ]);
    expect(problems[0]?.message).toBe(
      'flags.strategy is "one_for_some"; expected one of one_for_one, one_for_all, rest_for_one, simple_one_for_one',
    );
    expect(problems[1]?.message).toContain('flags.intensity is -1; expected an integer >= 0');
  });

  it('resolveFlags - rejects non-integer intensity and period', () => {
    expect(problemsOf({ intensity: 1.5, periodMs: '5s' }).map((p) => p.message)).toEqual([
      expect.stringContaining('flags.intensity is 1.5;'),
      expect.stringContaining('flags.periodMs is "5s"; expected an integer >= 1'),
    ]);
  });

  it('resolveFlags - rejects unknown fields and suggests the nearest name', () => {
    const problems = problemsOf({ stratgy: 'one_for_all', colour: 'red' });
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['flags.stratgy', SupervisorCodes.UNKNOWN_FIELD],
      ['flags.colour', SupervisorCodes.UNKNOWN_FIELD],
    ]);
    expect(problems[0]?.message).toContain('did you mean strategy?');
    expect(problems[1]?.message).not.toContain('did you mean');
  });

  it('resolveFlags - reports each bad backoff field under flags.backoff', () => {
    const problems = problemsOf({ backoff: { initialMs: 0, maxMs: -5, multiplier: 0.5, resetAfterMs: -1, jitter: true } });
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['flags.backoff.jitter', SupervisorCodes.UNKNOWN_FIELD],
      ['flags.backoff.initialMs', SupervisorCodes.INVALID_BACKOFF],
      ['flags.backoff.maxMs', SupervisorCodes.INVALID_BACKOFF],
      ['flags.backoff.multiplier', SupervisorCodes.INVALID_BACKOFF],
      ['flags.backoff.resetAfterMs', SupervisorCodes.INVALID_BACKOFF],
    ]);
  });

  it('resolveFlags - rejects maxMs below initialMs', () => {
    const problems = problemsOf({ backoff: { initialMs: 500, maxMs: 100 } });
    expect(problems).toEqual([
      { path: 'flags.backoff.maxMs', code: SupervisorCodes.INVALID_BACKOFF, message: expect.stringContaining('expected an integer >= initialMs (500)') },
    ]);
  });

  it('resolveFlags - rejects a backoff that is not an object', () => {
    expect(problemsOf({ backoff: null })).toEqual([
      { path: 'flags.backoff', code: SupervisorCodes.INVALID_BACKOFF, message: expect.stringContaining('flags.backoff is null') },
    ]);
  });

  it('resolveFlags - rejects flags that are not an object', () => {
    expect(problemsOf('one_for_all')).toEqual([
      { path: 'flags', code: SupervisorCodes.INVALID_FLAGS, message: expect.stringContaining('flags is "one_for_all"') },
    ]);
  });

  it('resolveFlags - prefixes paths with the given location', () => {
    const result = resolveFlags({ intensity: -1 }, 'actors[0].supervisor');
    expect(result.ok ? [] : result.problems.map((p) => p.path)).toEqual(['actors[0].supervisor.intensity']);
  });
});
