import { describe, expect, it } from 'vitest';
import { SupervisorCodes } from '../../../protocols/errors/supervisor-codes.ts';
import {
  DEFAULT_CHILD,
  orThrow,
  resolveChildSpec,
  resolveChildSpecs,
  SupervisorSpecError,
} from '../../../supervisor-trees/core/index.ts';
import { CairnError } from '../../../protocols/errors/cairn-error.ts';

type Start = { actor: string };
const isStart = (s: unknown): s is Start => typeof s === 'object' && s !== null && typeof (s as Start).actor === 'string';
const start: Start = { actor: 'sensor' };

describe('resolveChildSpec', () => {
  it('resolveChildSpec - merges defaults: permanent worker with shutdownMs 5000', () => {
    expect(resolveChildSpec({ id: 'db', start }, isStart)).toEqual({
      ok: true,
      value: { id: 'db', start, restart: 'permanent', shutdownMs: 5000, kind: 'worker' },
    });
  });

  it("resolveChildSpec - a supervisor child defaults to shutdownMs 'infinity'", () => {
    const result = resolveChildSpec({ id: 'sub', start, kind: 'supervisor' }, isStart);
    expect(result.ok && result.value.shutdownMs).toBe('infinity');
    expect(DEFAULT_CHILD.shutdownMs).toEqual({ worker: 5000, supervisor: 'infinity' });
  });

  it('resolveChildSpec - keeps given values, including shutdownMs 0 (kill at once)', () => {
    const input = { id: 'x', start, restart: 'transient', shutdownMs: 0, kind: 'worker' };
    expect(resolveChildSpec(input, isStart)).toEqual({ ok: true, value: input });
  });

  it('resolveChildSpec - gathers every problem of one child', () => {
    const result = resolveChildSpec({ id: '', start: 42, restart: 'sometimes', shutdownMs: -1, kind: 'robot' }, isStart);
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.code])).toEqual([
      ['child.id', SupervisorCodes.INVALID_CHILD_ID],
      ['child.start', SupervisorCodes.INVALID_CHILD_START],
      ['child.restart', SupervisorCodes.INVALID_RESTART],
      ['child.shutdownMs', SupervisorCodes.INVALID_SHUTDOWN],
      ['child.kind', SupervisorCodes.INVALID_CHILD_KIND],
    ]);
  });

  it('resolveChildSpec - reports a missing id and start as missing', () => {
    const result = resolveChildSpec({}, isStart);
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([
      expect.stringContaining('child.id is missing'),
      expect.stringContaining('child.start is missing; every child needs one'),
    ]);
  });

  it('resolveChildSpec - rejects ids that cannot be subject tokens', () => {
    for (const id of ['has space', 'a.b', '-lead', 'x'.repeat(129), 7]) {
      const result = resolveChildSpec({ id, start }, isStart);
      expect(result.ok ? [] : result.problems.map((p) => p.code)).toEqual([SupervisorCodes.INVALID_CHILD_ID]);
    }
  });

  it('resolveChildSpec - rejects unknown fields', () => {
    const result = resolveChildSpec({ id: 'a', start, restat: 'temporary' }, isStart);
    expect(result.ok ? [] : result.problems).toEqual([
      { path: 'child.restat', code: SupervisorCodes.UNKNOWN_FIELD, message: expect.stringContaining('did you mean restart?') },
    ]);
  });

  it('resolveChildSpec - rejects a spec that is not an object', () => {
    const result = resolveChildSpec(['a'], isStart);
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.code])).toEqual([['child', SupervisorCodes.INVALID_CHILD_SPEC]]);
  });
});

describe('resolveChildSpecs', () => {
  it('resolveChildSpecs - resolves every child, keeping start order', () => {
    const result = resolveChildSpecs([{ id: 'a', start }, { id: 'b', start, restart: 'temporary' }], isStart);
    expect(result.ok && result.value.map((c) => [c.id, c.restart])).toEqual([
      ['a', 'permanent'],
      ['b', 'temporary'],
    ]);
  });

  it('resolveChildSpecs - paths name the child index, as in the contract example', () => {
    const result = resolveChildSpecs([{ id: 'a', start }, { id: 'b', start }, { id: 'c', start, restart: 'sometimes' }], isStart);
    expect(result.ok ? [] : result.problems).toEqual([
      {
        path: 'children[2].restart',
        code: SupervisorCodes.INVALID_RESTART,
        message: 'children[2].restart is "sometimes"; expected one of permanent, transient, temporary',
      },
    ]);
  });

  it('resolveChildSpecs - reports duplicate ids naming the first user', () => {
    const result = resolveChildSpecs([{ id: 'db', start }, { id: 'web', start }, { id: 'db', start }], isStart);
    expect(result.ok ? [] : result.problems).toEqual([
      {
        path: 'children[2].id',
        code: SupervisorCodes.DUPLICATE_CHILD_ID,
        message: expect.stringContaining('children[2].id is "db", already used by children[0]'),
      },
    ]);
  });

  it('resolveChildSpecs - gathers problems across children, grouped by child', () => {
    const result = resolveChildSpecs([{ id: 'a', start: 1 }, { id: 'a', start, kind: 'robot' }, 'oops'], isStart);
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.code])).toEqual([
      ['children[0].start', SupervisorCodes.INVALID_CHILD_START],
      ['children[1].kind', SupervisorCodes.INVALID_CHILD_KIND],
      ['children[1].id', SupervisorCodes.DUPLICATE_CHILD_ID],
      ['children[2]', SupervisorCodes.INVALID_CHILD_SPEC],
    ]);
  });

  it('resolveChildSpecs - rejects a list that is not an array', () => {
    const result = resolveChildSpecs({ id: 'a', start }, isStart);
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.code])).toEqual([['children', SupervisorCodes.INVALID_CHILD_SPEC]]);
  });
});

describe('orThrow', () => {
  it('orThrow - returns the value of an ok result', () => {
    expect(orThrow(resolveChildSpecs([], isStart))).toEqual([]);
  });

  it('orThrow - throws a SupervisorSpecError carrying every problem', () => {
    let caught: unknown;
    try {
      orThrow(resolveChildSpecs([{ id: 'a', start, restart: 'x' }, { id: 'a', start }], isStart));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SupervisorSpecError);
    expect(caught).toBeInstanceOf(CairnError);
    const error = caught as SupervisorSpecError;
    expect(error.name).toBe('SupervisorSpecError');
    expect(error.code).toBe(SupervisorCodes.INVALID_SUPERVISOR_SPEC);
    expect(error.problems.map((p) => p.code)).toEqual([SupervisorCodes.INVALID_RESTART, SupervisorCodes.DUPLICATE_CHILD_ID]);
    expect(error.message).toContain('[error] CAIRN_INVALID_RESTART children[0].restart is "x"');
  });
});
