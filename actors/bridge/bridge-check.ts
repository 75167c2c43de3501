import { mqttFilterProblem } from '../../protocols/index.ts';
import type { ModuleConfigProblem } from '../../kernel/index.ts';
import type { BridgeConfig } from './bridge-config.ts';
import { localFilter, remoteFilter, ruleFeedback } from './bridge-topics.ts';

const PEER_SCHEMES = ['mqtt:', 'mqtts:', 'ws:', 'wss:', 'nats:', 'tls:'];

/** Whether the peer is a NATS server (nats://, tls://) rather than an MQTT broker. */
export function isNatsPeer(url: string): boolean {
  return /^(nats|tls):\/\//i.test(url);
}

/** Why the peer URL cannot be used, or undefined. */
function peerUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not a URL: write mqtt://host:1883`;
  }
  if (!PEER_SCHEMES.includes(parsed.protocol)) return `scheme ${JSON.stringify(parsed.protocol)} is not one of mqtt://, mqtts://, ws://, wss:// (MQTT) or nats://, tls:// (NATS)`;
  if (parsed.hostname === '') return 'it names no host';
  return undefined;
}

/** Why a filter at the peer cannot be subscribed to or published under, or undefined (the peer's topics may hold what the site's may not, such as `.`). */
function remoteFilterProblem(filter: string): string | undefined {
  const levels = filter.split('/');
  const hashAt = levels.findIndex((level) => level.includes('#'));
  if (hashAt !== -1 && (levels[hashAt] !== '#' || hashAt !== levels.length - 1)) return '# must be a whole level and the last one';
  if (levels.some((level) => level.includes('+') && level !== '+')) return '+ must be a whole level';
  return undefined;
}

/** Why a filter at a NATS peer (topic levels become subject tokens) cannot be used, or undefined. */
function natsRemoteProblem(filter: string): string | undefined {
  const wildcard = remoteFilterProblem(filter);
  if (wildcard !== undefined) return wildcard;
  if (filter.split('/').some((level) => level === '')) return 'levels may not be empty: they become NATS subject tokens';
  if (/[.\s*>]/.test(filter)) return 'a NATS peer takes topics whose levels become subject tokens: no ".", "*", ">" or spaces';
  return undefined;
}

/**
 * What a bridge config its schema accepts still cannot be: a peer that is not an MQTT broker, a
 * rule whose site side is not a topic filter the site can carry, prefixes with wildcards, rules
 * that feed each other through the peer (named both). Pure.
 */
export function bridgeConfigProblems(config: BridgeConfig): ModuleConfigProblem[] {
  const problems: ModuleConfigProblem[] = [];
  const url = peerUrlProblem(config.peer.url);
  if (url !== undefined) problems.push({ path: ['peer', 'url'], message: url });
  if (config.peer.jetstream !== undefined && !isNatsPeer(config.peer.url)) problems.push({ path: ['peer', 'jetstream'], message: 'jetstream applies to NATS peers (nats://) only: an MQTT peer acknowledges by PUBACK' });
  if ((config.peer.username === undefined) !== (config.peer.password === undefined)) problems.push({ path: ['peer', config.peer.username === undefined ? 'username' : 'password'], message: 'give both username and password, or neither' });
  config.rules.forEach((r, i) => {
    for (const field of ['localPrefix', 'remotePrefix'] as const) {
      if (/[+#]/.test(r[field])) problems.push({ path: ['rules', i, field], message: `a prefix is plain text: ${JSON.stringify(r[field])} has a wildcard` });
    }
    const local = mqttFilterProblem(localFilter(r));
    if (local !== undefined) problems.push({ path: ['rules', i, 'topic'], message: `on the site this rule covers ${JSON.stringify(localFilter(r))}, which cannot be bridged: ${local}` });
    const remote = isNatsPeer(config.peer.url) ? natsRemoteProblem(remoteFilter(r)) : remoteFilterProblem(remoteFilter(r));
    // A NATS peer has no MQTT QoS: what it acknowledges is set by peer.jetstream.
    if (isNatsPeer(config.peer.url) && r.qos !== 1) problems.push({ path: ['rules', i, 'qos'], message: `qos ${r.qos} does not apply to a NATS peer: leave it out (peer.jetstream decides what the peer acknowledges)` });
    if (remote !== undefined) problems.push({ path: ['rules', i, 'topic'], message: `at the peer this rule covers ${JSON.stringify(remoteFilter(r))}: ${remote}` });
  });
  if (problems.length > 0) return problems;
  for (const f of ruleFeedback(config.rules)) {
    const o = config.rules[f.out]!;
    const n = config.rules[f.in]!;
    problems.push({
      path: ['rules', f.in],
      message: `rules[${f.out}] and rules[${f.in}] feed each other through the peer: rules[${f.out}] sends ${JSON.stringify(localFilter(o))} to the peer as ${JSON.stringify(remoteFilter(o))}, rules[${f.in}] brings ${JSON.stringify(remoteFilter(n))} back as ${JSON.stringify(localFilter(n))} (another topic), which rules[${f.out}] sends again. Give them prefixes that do not overlap, or make them one rule with direction: both`,
    });
  }
  return problems;
}
