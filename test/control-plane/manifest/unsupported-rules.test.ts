import { describe, expect, it } from 'vitest';
import { ManifestDiagnosticCodes as Codes } from '../../../protocols/index.ts';
import { errorsOf, parseObject, pathsAndCodes, validManifest } from './manifest-fixtures.ts';

describe('fields nothing would execute are refused', () => {
  it('unsupported rules - a per-actor mailbox capacity is executed now, so accepted; zero is a schema error', () => {
    const data = validManifest();
    data.spec.actors[0].mailbox = { capacity: 50, maxAttempts: 2 };
    expect(parseObject(data).ok).toBe(true);
    data.spec.actors[0].mailbox = { capacity: 0 };
    expect(pathsAndCodes(errorsOf(parseObject(data)))).toEqual([`spec.actors[0].mailbox.capacity ${Codes.OUT_OF_RANGE}`]);
  });

  it('unsupported rules - env on an inline actor is refused, saying inline is the default; worker env is accepted', () => {
    const data = validManifest();
    data.spec.actors[0].env = { LEVEL: 'debug' };
    const errors = errorsOf(parseObject(data));
    expect(pathsAndCodes(errors)).toEqual([`spec.actors[0].env ${Codes.SETTING_NOT_FOR_MODE}`]);
    expect(errors[0]?.message).toContain('(inline is the default mode)');
    data.spec.actors[0].mode = 'worker';
    expect(parseObject(data).ok).toBe(true);
  });

  it('unsupported rules - a pids limit outside container mode is refused; in container mode it is accepted', () => {
    const data = validManifest();
    data.spec.actors[0].resources = { cpu: 1, pids: 64 };
    expect(pathsAndCodes(errorsOf(parseObject(data)))).toEqual([`spec.actors[0].resources.pids ${Codes.SETTING_NOT_FOR_MODE}`]);
    data.spec.actors[1].resources = { pids: 64 };
    delete data.spec.actors[0].resources.pids;
    expect(parseObject(data).ok).toBe(true);
  });
});
