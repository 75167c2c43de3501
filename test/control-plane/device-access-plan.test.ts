import { describe, expect, it } from 'vitest';
import { deviceAccessConflicts } from '../../control-plane/index.ts';
import type { DeviceAccess } from '../../protocols/index.ts';

const access = (actor: string, port: number | undefined, users: string[]): DeviceAccess => ({
  actor,
  ...(port === undefined ? {} : { mqtt: { port } }),
  principals: users.map((username) => ({ username, password: 'x', publish: [], subscribe: [] })),
});

describe('deviceAccessConflicts', () => {
  it('none - alone, or beside apps with the same listener and other users', () => {
    expect(deviceAccessConflicts('a', [access('hub', 1883, ['s1'])], new Map())).toEqual([]);
    expect(deviceAccessConflicts('a', [access('hub', 1883, ['s1'])], new Map([['b', access('hub-b', 1883, ['s2'])], ['a', access('hub', 1999, ['s1'])]]))).toEqual([]);
  });
  it('another listener port, a shared user name, or two hubs in one app - each named', () => {
    const problems = deviceAccessConflicts('a', [access('hub', 1883, ['s1'])], new Map([['b', access('hub-b', 1884, ['s1'])]]));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/port 1883.*"b".*port 1884/);
    expect(problems[1]).toMatch(/"s1".*"b"/);
    expect(deviceAccessConflicts('a', [access('h1', undefined, []), access('h2', undefined, [])], new Map())[0]).toMatch(/h1 and h2/);
  });
});
