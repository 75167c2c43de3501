/*
 * How a bridge's rules map topics between its site and its peer (mosquitto's bridge semantics:
 * `localPrefix + t` on the site is `remotePrefix + t` at the peer). Pure.
 */
import { mqttFilterSubjects, mqttTopicProblem } from '../../protocols/index.ts';
import type { BridgeConfig, BridgeRule } from './bridge-config.ts';

/**
 * The NATS header marking what a bridge brought onto its site from its peer: `<site>/<bridge id>`.
 * The bridge never sends a message so marked back to its peer.
 */
export const ORIGIN_HEADER = 'Cairn-Bridge-Origin';

/** Whether MQTT topic `topic` matches topic filter `filter` (`+` one level, a last `#` any levels and the parent). */
export function mqttTopicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  // Topics starting with $ are the server's own: no leading wildcard reaches them.
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** Whether some topic matches both MQTT topic filters. */
export function mqttFiltersIntersect(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === '#' || y[i] === '#') return true;
    if (x[i] !== '+' && y[i] !== '+' && x[i] !== y[i]) return false;
  }
  if (x.length === y.length) return true;
  // `a/#` matches `a` too.
  const longer = x.length > y.length ? x : y;
  return longer.length === Math.min(x.length, y.length) + 1 && longer[longer.length - 1] === '#';
}

const sends = (r: BridgeRule): boolean => r.direction !== 'in';
const brings = (r: BridgeRule): boolean => r.direction !== 'out';
export const localFilter = (r: BridgeRule): string => r.localPrefix + r.topic;
export const remoteFilter = (r: BridgeRule): string => r.remotePrefix + r.topic;

/** `topic` with `from` replaced by `to`, when it starts with `from` and the rest matches the rule's topic. */
function rewrite(r: BridgeRule, topic: string, from: string, to: string): string | undefined {
  if (!topic.startsWith(from)) return undefined;
  const rest = topic.slice(from.length);
  return rest !== '' && mqttTopicMatches(r.topic, rest) ? to + rest : undefined;
}

/** Where a message goes. */
export interface Crossing {
  /** Index of the rule in config.rules. */
  readonly rule: number;
  readonly topic: string;
  readonly qos: 0 | 1 | 2;
}

/** The peer topic a site topic is sent to, by the first outbound rule that matches it; undefined: none does. */
export function outboundCrossing(rules: readonly BridgeRule[], localTopic: string): Crossing | undefined {
  for (const [i, r] of rules.entries()) {
    if (!sends(r)) continue;
    const topic = rewrite(r, localTopic, r.localPrefix, r.remotePrefix);
    if (topic !== undefined) return { rule: i, topic, qos: r.qos };
  }
  return undefined;
}

/** The site topic a peer topic is brought to, by the first inbound rule that matches it; undefined: none does. */
export function inboundCrossing(rules: readonly BridgeRule[], remoteTopic: string): Crossing | undefined {
  for (const [i, r] of rules.entries()) {
    if (!brings(r)) continue;
    const topic = rewrite(r, remoteTopic, r.remotePrefix, r.localPrefix);
    if (topic !== undefined) return { rule: i, topic, qos: r.qos };
  }
  return undefined;
}

/** What the outbound pump does with one buffered message. */
export type OutboundDecision =
  | { readonly kind: 'send'; readonly crossing: Crossing }
  | { readonly kind: 'skip'; readonly why: 'from-peer' | 'no-rule' };

/**
 * What to do with a message the outbound buffer captured on `subject`: skipped when this bridge
 * brought it from the peer (`origin` is the ORIGIN_HEADER value, `self` this bridge's), or when
 * no outbound rule matches its topic; otherwise sent as the rule says.
 */
export function outboundDecision(rules: readonly BridgeRule[], subject: string, origin: string | undefined, self: string): OutboundDecision {
  if (origin === self) return { kind: 'skip', why: 'from-peer' };
  const crossing = outboundCrossing(rules, subject.split('.').join('/'));
  return crossing ? { kind: 'send', crossing } : { kind: 'skip', why: 'no-rule' };
}

/** What the inbound side does with a message from the peer. */
export type InboundDecision =
  | { readonly kind: 'bring'; readonly crossing: Crossing; readonly subject: string }
  | { readonly kind: 'refuse'; readonly why: string };

/** Where a message the peer sent on `remoteTopic` goes on the site, or why it cannot. */
export function inboundDecision(rules: readonly BridgeRule[], remoteTopic: string): InboundDecision {
  const crossing = inboundCrossing(rules, remoteTopic);
  if (!crossing) return { kind: 'refuse', why: `no inbound rule matches topic ${JSON.stringify(remoteTopic)}` };
  const problem = mqttTopicProblem(crossing.topic) ?? (crossing.topic.split('/')[0] === 'cairn' ? 'topics under cairn/ are Cairn\'s own' : undefined);
  if (problem !== undefined) return { kind: 'refuse', why: `topic ${JSON.stringify(remoteTopic)} would be ${JSON.stringify(crossing.topic)} on the site: ${problem}` };
  return { kind: 'bring', crossing, subject: crossing.topic.split('/').join('.') };
}

/** The NATS subjects the outbound buffer captures: the site side of every outbound rule. */
export function outboundSubjects(config: Pick<BridgeConfig, 'rules'>): string[] {
  return [...new Set(config.rules.filter(sends).flatMap((r) => mqttFilterSubjects(localFilter(r))))];
}

/** The peer subscriptions: the peer side of every inbound rule, each filter once at its highest QoS. */
export function inboundSubscriptions(config: Pick<BridgeConfig, 'rules'>): Record<string, { qos: 0 | 1 | 2 }> {
  const subs: Record<string, { qos: 0 | 1 | 2 }> = {};
  for (const r of config.rules.filter(brings)) {
    const filter = remoteFilter(r);
    subs[filter] = { qos: Math.max(subs[filter]?.qos ?? 0, r.qos) as 0 | 1 | 2 };
  }
  return subs;
}

/**
 * Whether two rules map topics the same way where both apply: one's prefixes are the other's with
 * the same text appended to both (`a/` ↔ `b/` and `a/x/` ↔ `b/x/`). A message they carry there
 * and back lands on the topic it left.
 */
export function sameMapping(a: BridgeRule, b: BridgeRule): boolean {
  const extends_ = (x: BridgeRule, y: BridgeRule): boolean => x.localPrefix.startsWith(y.localPrefix) && x.remotePrefix.startsWith(y.remotePrefix) && x.localPrefix.slice(y.localPrefix.length) === x.remotePrefix.slice(y.remotePrefix.length);
  return extends_(a, b) || extends_(b, a);
}

/** Two rules that feed each other through the peer: what `out` sends, `in` brings back under another topic, which `out` would send again. */
export interface RuleFeedback {
  readonly out: number;
  readonly in: number;
}

/**
 * The site topics an `in` rule would make of what an `out` rule sends, as a filter, or undefined
 * when none of it comes back by that rule. Over-approximates where the `in` rule's topic narrows
 * what the `out` rule sends.
 */
function roundTrip(o: BridgeRule, n: BridgeRule): string | undefined {
  if (o.remotePrefix.startsWith(n.remotePrefix)) {
    // At the peer, what o sends is n.remotePrefix + rest, rest matching this filter.
    const rest = o.remotePrefix.slice(n.remotePrefix.length) + o.topic;
    return mqttFiltersIntersect(rest, n.topic) ? n.localPrefix + rest : undefined;
  }
  if (n.remotePrefix.startsWith(o.remotePrefix)) {
    // n takes only what o sends under the longer prefix.
    const extra = n.remotePrefix.slice(o.remotePrefix.length);
    return mqttFiltersIntersect(o.topic, extra + n.topic) || mqttFiltersIntersect(o.topic, `${extra}#`) ? n.localPrefix + n.topic : undefined;
  }
  return undefined;
}

/**
 * Pairs of rules that feed each other through the peer: an outbound rule whose peer topics an
 * inbound rule brings back onto site topics the outbound rule sends, under a different mapping
 * (so each round trip makes a new topic). The bridge itself never sends back what it brought (the
 * origin mark) and the peer does not echo its own publishes (no-local), so this takes something
 * at the peer that republishes; such rule sets are refused all the same, as the mistake they
 * almost always are. Rules that map the same way (a `both` rule, or `in` and `out` with the same
 * prefixes) are not: a message there and back lands on the topic it left.
 */
export function ruleFeedback(rules: readonly BridgeRule[]): RuleFeedback[] {
  const found: RuleFeedback[] = [];
  rules.forEach((o, i) => {
    if (!sends(o)) return;
    rules.forEach((n, j) => {
      if (!brings(n) || sameMapping(o, n)) return;
      const back = roundTrip(o, n);
      if (back !== undefined && mqttFiltersIntersect(back, localFilter(o))) found.push({ out: i, in: j });
    });
  });
  return found;
}
