import { describe, expect, it } from 'vitest';
import { isCairnError } from '../../../protocols/errors/cairn-error.ts';
import { DeployCodes } from '../../../protocols/errors/deploy-codes.ts';
import { quoteConfigString, serializeConfig } from '../../../deploy/nats-server/index.ts';
import type { ConfigBlock } from '../../../deploy/nats-server/index.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isCairnError(err) ? err.code : 'not a CairnError';
  }
  return undefined;
}

describe('serializeConfig', () => {
  it('serializeConfig - writes scalars, keeps key order and skips undefined', () => {
    expect(serializeConfig({ port: 4222, server_name: 'a', debug: false, trace: undefined, ratio: 0.5, neg: -1 })).toBe(
      'port: 4222\nserver_name: "a"\ndebug: false\nratio: 0.5\nneg: -1\n',
    );
  });

  it('serializeConfig - quotes durations and sizes so they stay strings', () => {
    expect(serializeConfig({ ping_interval: '2s', lame_duck_duration: '30s' })).toBe('ping_interval: "2s"\nlame_duck_duration: "30s"\n');
  });

  it('serializeConfig - nests blocks with two-space indent', () => {
    expect(serializeConfig({ jetstream: { domain: 'cloud', store_dir: '/d' }, leafnodes: { authorization: { users: [] } } })).toBe(
      [
        'jetstream {',
        '  domain: "cloud"',
        '  store_dir: "/d"',
        '}',
        'leafnodes {',
        '  authorization {',
        '    users: []',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('serializeConfig - scalar arrays inline, arrays of blocks one per line', () => {
    expect(serializeConfig({ routes: ['nats-route://a:1', 'nats-route://b:2'], remotes: [{ urls: ['nats-leaf://h:7422'] }, { urls: [] }] })).toBe(
      [
        'routes: ["nats-route://a:1", "nats-route://b:2"]',
        'remotes: [',
        '  {',
        '    urls: ["nats-leaf://h:7422"]',
        '  }',
        '  {',
        '    urls: []',
        '  }',
        ']',
        '',
      ].join('\n'),
    );
  });

  it('serializeConfig - empty blocks and an empty root', () => {
    expect(serializeConfig({ accounts: {} })).toBe('accounts {}\n');
    expect(serializeConfig({})).toBe('');
  });

  it('serializeConfig - quotes keys that are not bare identifiers', () => {
    expect(serializeConfig({ accounts: { $SYS: { users: [] }, 'my-acct': {} } })).toBe(
      'accounts {\n  "$SYS" {\n    users: []\n  }\n  "my-acct" {}\n}\n',
    );
  });

  it('quoteConfigString - escapes only what the nats-server lexer accepts', () => {
    expect(quoteConfigString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteConfigString('l1\nl2\tx\ry')).toBe('"l1\\nl2\\tx\\ry"');
    expect(quoteConfigString('\u0001\u007f')).toBe('"\\x01\\x7f"');
    // bcrypt hashes and non-ASCII are literal inside double quotes (no $ expansion there).
    expect(quoteConfigString('$2a$11$abc')).toBe('"$2a$11$abc"');
    expect(quoteConfigString('café ⛰')).toBe('"café ⛰"');
  });

  it('serializeConfig - rejects values the syntax cannot hold, naming the path', () => {
    expect(codeOf(() => serializeConfig({ a: { b: Number.NaN } }))).toBe(DeployCodes.INVALID_CONFIG_VALUE);
    expect(codeOf(() => serializeConfig({ big: 1e21 }))).toBe(DeployCodes.INVALID_CONFIG_VALUE);
    expect(codeOf(() => serializeConfig({ a: null } as unknown as ConfigBlock))).toBe(DeployCodes.INVALID_CONFIG_VALUE);
    expect(codeOf(() => serializeConfig({ a: [1, undefined] } as unknown as ConfigBlock))).toBe(DeployCodes.INVALID_CONFIG_VALUE);
    expect(codeOf(() => serializeConfig({ d: new Date() } as unknown as ConfigBlock))).toBe(DeployCodes.INVALID_CONFIG_VALUE);
    expect(codeOf(() => serializeConfig({ '': 1 }))).toBe(DeployCodes.INVALID_CONFIG_VALUE);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(codeOf(() => serializeConfig(cyclic as ConfigBlock))).toBe(DeployCodes.INVALID_CONFIG_VALUE);
    expect(() => serializeConfig({ leafnodes: { remotes: [{ url: Symbol('x') }] } } as unknown as ConfigBlock)).toThrow(
      /leafnodes\.remotes\[0\]\.url/,
    );
  });

  it('serializeConfig - the same object shared twice is not a cycle', () => {
    const users = [{ user: 'u', password: 'p' }];
    expect(serializeConfig({ a: { users }, b: { users } })).toContain('b {\n  users: [');
  });
});
