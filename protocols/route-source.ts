/*
 * Route sources: the NATS subjects a manifest route captures, from its `subject` or its MQTT topic
 * filter (nats-server's MQTT gateway publishes topic a/b/c as subject a.b.c). Pure.
 */

/** What a route is fed from: exactly one of an MQTT topic filter and a NATS subject filter. */
export type RouteSource = { readonly mqtt: string; readonly subject?: undefined } | { readonly subject: string; readonly mqtt?: undefined };

/** First tokens a route may not capture: Cairn's own subjects, the server's, replies. */
const RESERVED_FIRST_TOKENS = ['cairn', '_INBOX', '_R_'];

/**
 * The NATS subject filters an MQTT topic filter stands for, as nats-server maps topics: `/` between
 * levels becomes `.`, `+` becomes `*`, and a trailing `#` becomes `>` plus its parent (`a/#` also
 * matches `a`). Assumes a filter mqttFilterProblem accepts.
 */
export function mqttFilterSubjects(filter: string): string[] {
  const levels = filter.split('/').map((level) => (level === '+' ? '*' : level === '#' ? '>' : level));
  const subject = levels.join('.');
  return levels.length > 1 && levels[levels.length - 1] === '>' ? [levels.slice(0, -1).join('.'), subject] : [subject];
}

/** The NATS subject filters a route source captures. */
export function routeSubjects(source: RouteSource): string[] {
  return source.mqtt !== undefined ? mqttFilterSubjects(source.mqtt) : [source.subject];
}

/** Why an MQTT topic filter cannot be routed, or undefined when it can. */
export function mqttFilterProblem(filter: string): string | undefined {
  const levels = filter.split('/');
  const hashAt = levels.findIndex((level) => level.includes('#'));
  if (hashAt !== -1 && (levels[hashAt] !== '#' || hashAt !== levels.length - 1)) return '# must be a whole level and the last one (e.g. sensors/#)';
  if (levels.some((level) => level.includes('+') && level !== '+')) return '+ must be a whole level (e.g. sensors/+/temp)';
  // nats-server would map these to subjects a device cannot reach as written (. and empty levels).
  if (levels.some((level) => level === '')) return 'levels may not be empty: no leading, trailing or double /';
  if (/[.\s*>]/.test(filter)) return 'use no ".", "*", ">" or spaces in topics (nats-server maps topics to NATS subjects)';
  return capturable(mqttFilterSubjects(filter)[0]!);
}

/** Why a NATS subject filter cannot be routed, or undefined when it can. */
export function subjectFilterProblem(subject: string): string | undefined {
  const tokens = subject.split('.');
  if (/\s/.test(subject) || tokens.some((t) => t === '')) return 'use non-empty dot-separated tokens without spaces';
  if (tokens.some((t, i) => (t.includes('*') && t !== '*') || (t.includes('>') && (t !== '>' || i !== tokens.length - 1)))) {
    return '* must be a whole token and > a whole last token (e.g. sensors.*.temp, sensors.>)';
  }
  return capturable(subject);
}

/** A route captures its subjects in a stream of its own: it may not reach into Cairn's or the server's. */
function capturable(subject: string): string | undefined {
  const first = subject.split('.')[0]!;
  if (first === '*' || first === '>') return 'start with a literal token (e.g. sensors.>): a leading wildcard would capture Cairn\'s own subjects too';
  if (first.startsWith('$') || RESERVED_FIRST_TOKENS.includes(first)) return `${JSON.stringify(first)} subjects are reserved (Cairn's and the server's own): pick another first token`;
  return undefined;
}

/** Whether NATS subject `subject` (no wildcards) matches `filter`. */
export function subjectMatches(filter: string, subject: string): boolean {
  return tokensMatch(filter.split('.'), subject.split('.'));
}

/**
 * `subjectMatches` for one filter and many subjects: the filter split once, each subject once (the
 * same subject against several filters: `matcher.matchesTokens(subject.split('.'))`). Pure.
 */
export class SubjectMatcher {
  private readonly tokens: readonly string[];

  constructor(readonly filter: string) {
    this.tokens = filter.split('.');
  }

  matches(subject: string): boolean {
    return tokensMatch(this.tokens, subject.split('.'));
  }

  matchesTokens(subject: readonly string[]): boolean {
    return tokensMatch(this.tokens, subject);
  }
}

function tokensMatch(f: readonly string[], s: readonly string[]): boolean {
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

/** Whether some subject matches both filters (JetStream refuses two streams whose subjects do). */
export function filtersIntersect(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === '>' || y[i] === '>') return true;
    if (x[i] !== '*' && y[i] !== '*' && x[i] !== y[i]) return false;
  }
  return x.length === y.length;
}

/** Whether every subject `specific` matches is matched by `general` too (both filters). */
export function filterCovers(general: string, specific: string): boolean {
  const g = general.split('.');
  const s = specific.split('.');
  for (let i = 0; i < g.length; i++) {
    if (g[i] === '>') return s.length > i;
    if (i >= s.length || s[i] === '>') return false;
    if (g[i] !== '*' && (s[i] === '*' || g[i] !== s[i])) return false;
  }
  return g.length === s.length;
}

/** The filters of `subjects` that no other one covers, each once, sorted: what a stream lists. */
export function coveringSubjects(subjects: readonly string[]): string[] {
  const unique = [...new Set(subjects)].sort();
  return unique.filter((s) => !unique.some((other) => other !== s && filterCovers(other, s)));
}
