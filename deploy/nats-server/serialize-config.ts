import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';

/** A value nats-server's config syntax can hold. */
export type ConfigValue = string | number | boolean | readonly ConfigValue[] | ConfigBlock;

/** A `{ ... }` block. Keys keep the order given; keys whose value is undefined are left out. */
export interface ConfigBlock {
  readonly [key: string]: ConfigValue | undefined;
}

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INDENT = '  ';

function invalid(path: string, what: string): CairnError {
  return new CairnError(
    DeployCodes.INVALID_CONFIG_VALUE,
    `Config value at "${path}" is ${what}, which nats-server config syntax cannot hold. ` +
      'Use strings, finite numbers, booleans, arrays and plain objects; leave absent fields undefined.',
    { details: { path } },
  );
}

/**
 * Quotes a string for nats-server. Its lexer accepts only \xXX, \t, \n, \r, \" and \\ inside
 * double quotes (\u is a parse error), so other control characters become \xXX; everything
 * else, including "$" and non-ASCII text, is literal inside quotes.
 */
export function quoteConfigString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function isBlock(v: unknown): v is ConfigBlock {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function scalar(v: unknown, path: string): string | undefined {
  if (typeof v === 'string') return quoteConfigString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    // The lexer has no exponent form, and NaN/Infinity are not numbers to it.
    const text = String(v);
    if (!Number.isFinite(v) || /e/i.test(text)) throw invalid(path, `the number ${text}`);
    return text;
  }
  return undefined;
}

function key(k: string, path: string): string {
  if (k === '') throw invalid(path, 'an empty key');
  return BARE_KEY.test(k) ? k : quoteConfigString(k);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'object') return `an instance of ${(v as object).constructor?.name ?? 'an unknown class'}`;
  return `a ${typeof v}`;
}

function value(v: unknown, path: string, depth: number, seen: Set<object>): string {
  const s = scalar(v, path);
  if (s !== undefined) return s;
  if (Array.isArray(v)) {
    if (seen.has(v)) throw invalid(path, 'a cycle');
    seen.add(v);
    try {
      if (v.length === 0) return '[]';
      if (v.every((item, i) => scalar(item, `${path}[${i}]`) !== undefined)) {
        return `[${v.map((item, i) => scalar(item, `${path}[${i}]`)).join(', ')}]`;
      }
      const pad = INDENT.repeat(depth + 1);
      const items = v.map((item, i) => `${pad}${value(item, `${path}[${i}]`, depth + 1, seen)}`);
      return `[\n${items.join('\n')}\n${INDENT.repeat(depth)}]`;
    } finally {
      seen.delete(v);
    }
  }
  if (isBlock(v)) {
    if (seen.has(v)) throw invalid(path, 'a cycle');
    seen.add(v);
    try {
      const lines = entries(v, path, depth + 1, seen);
      return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${INDENT.repeat(depth)}}`;
    } finally {
      seen.delete(v);
    }
  }
  throw invalid(path, describe(v));
}

function entries(block: ConfigBlock, path: string, depth: number, seen: Set<object>): string[] {
  const pad = INDENT.repeat(depth);
  const lines: string[] = [];
  for (const [k, v] of Object.entries(block)) {
    if (v === undefined) continue;
    const p = path === '' ? k : `${path}.${k}`;
    const rendered = value(v, p, depth, seen);
    // Blocks read as `name { ... }`, like nats-server's own examples; everything else is `key: value`.
    lines.push(isBlock(v) ? `${pad}${key(k, p)} ${rendered}` : `${pad}${key(k, p)}: ${rendered}`);
  }
  return lines;
}

/**
 * Writes a plain object tree in nats-server config syntax: strings always quoted and escaped
 * (so durations like "2s" and bcrypt hashes are safe), numbers, booleans, `[a, b]` for scalar
 * arrays, one item per line for arrays of blocks, `name { ... }` for nested blocks, two-space
 * indent, keys in the order given, a trailing newline.
 */
export function serializeConfig(root: ConfigBlock): string {
  if (!isBlock(root)) throw invalid('(root)', describe(root));
  const lines = entries(root, '', 0, new Set([root]));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
