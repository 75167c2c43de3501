import { describe, expect, it } from 'vitest';
import { BridgeModule, bridgeConfigProblems, inboundDecision, mqttFiltersIntersect, mqttTopicMatches, outboundDecision, outboundSubjects, ruleFeedback } from '../../../actors/bridge/index.ts';
import type { BridgeConfig, BridgeRule } from '../../../actors/bridge/index.ts';
import { dropsBeforeDelivery, dropsBeforeFirst, peerRetryDelayMs } from '../../../actors/bridge/index.ts';
import { parseManifest } from '../../../control-plane/index.ts';

const rule = (topic: string, direction: BridgeRule['direction'], localPrefix = '', remotePrefix = '', qos: 0 | 1 | 2 = 1): BridgeRule => ({ topic, direction, qos, localPrefix, remotePrefix });
const config = (rules: BridgeRule[], url = 'mqtt://127.0.0.1:1883'): BridgeConfig => ({ peer: { url, keepaliveS: 30 }, rules, buffer: { maxAgeMs: 60_000, maxBytes: 1 << 20 }, inflight: 64, ackWaitS: 30 });

describe('bridge topics', () => {
  it('topic matching - + is one level, a last # any levels and its parent, $ topics escape leading wildcards', () => {
    expect(mqttTopicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(mqttTopicMatches('a/+/c', 'a/b/d')).toBe(false);
    expect(mqttTopicMatches('a/#', 'a')).toBe(true);
    expect(mqttTopicMatches('a/#', 'a/b/c')).toBe(true);
    expect(mqttTopicMatches('a/#', 'ab')).toBe(false);
    expect(mqttTopicMatches('#', '$SYS/x')).toBe(false);
    expect(mqttTopicMatches('a/b', 'a/b/c')).toBe(false);
  });

  it('filter intersection - filters sharing a topic intersect, # reaching the parent too', () => {
    expect(mqttFiltersIntersect('a/+/c', 'a/b/#')).toBe(true);
    expect(mqttFiltersIntersect('a/#', 'a')).toBe(true);
    expect(mqttFiltersIntersect('a/b', 'a/c')).toBe(false);
    expect(mqttFiltersIntersect('a/b/c', 'a/b')).toBe(false);
  });

  it('outbound - the first out rule that matches rewrites the local prefix into the remote one, with its QoS', () => {
    const rules = [rule('alerts/#', 'out', 'plant/', 'factory/p1/', 2), rule('#', 'both', 'plant/', 'all/')];
    expect(outboundDecision(rules, 'plant.alerts.t1', undefined, 's/b')).toEqual({ kind: 'send', crossing: { rule: 0, topic: 'factory/p1/alerts/t1', qos: 2 } });
    expect(outboundDecision(rules, 'plant.readings.t1', undefined, 's/b')).toEqual({ kind: 'send', crossing: { rule: 1, topic: 'all/readings/t1', qos: 1 } });
    expect(outboundDecision(rules, 'other.x', undefined, 's/b')).toEqual({ kind: 'skip', why: 'no-rule' });
  });

  it('outbound - what this bridge brought from its peer is never sent back; another bridge\u2019s is', () => {
    const rules = [rule('alerts/#', 'both', 'plant/', 'factory/')];
    expect(outboundDecision(rules, 'plant.alerts.x', 's/b', 's/b')).toEqual({ kind: 'skip', why: 'from-peer' });
    expect(outboundDecision(rules, 'plant.alerts.x', 's/other', 's/b').kind).toBe('send');
  });

  it('inbound - the first in rule maps the remote topic to a site subject; one the site cannot carry is refused with the reason', () => {
    const rules = [rule('cmd/#', 'in', 'plant/', 'factory/p1/'), rule('alerts/#', 'out', 'plant/', 'factory/p1/')];
    expect(inboundDecision(rules, 'factory/p1/cmd/valve')).toEqual({ kind: 'bring', crossing: { rule: 0, topic: 'plant/cmd/valve', qos: 1 }, subject: 'plant.cmd.valve' });
    expect(inboundDecision(rules, 'factory/p1/cmd/v1.2')).toMatchObject({ kind: 'refuse', why: expect.stringMatching(/"\."/) });
    expect(inboundDecision(rules, 'factory/p1/alerts/x')).toMatchObject({ kind: 'refuse', why: expect.stringMatching(/no inbound rule/) });
    expect(inboundDecision([rule('#', 'in', 'cairn/', '')], 'x')).toMatchObject({ kind: 'refuse', why: expect.stringMatching(/Cairn/) });
  });

  it('buffer subjects - the site side of the outbound rules, as nats-server maps topics', () => {
    expect(outboundSubjects(config([rule('alerts/#', 'out', 'plant/'), rule('cmd/+', 'in', 'plant/'), rule('x/+/y', 'both')]))).toEqual(['plant.alerts', 'plant.alerts.>', 'x.*.y']);
    const streams = BridgeModule.streams!(config([rule('alerts/#', 'out', 'plant/')]));
    expect(streams).toEqual([{ name: 'out', subjects: ['plant.alerts', 'plant.alerts.>'], retention: 'workqueue', discard: 'old', maxAgeMs: 60_000, maxBytes: 1 << 20 }]);
    expect(BridgeModule.streams!(config([rule('cmd/#', 'in', 'plant/')]))).toEqual([]);
  });
});

describe('bridge rule loops', () => {
  it('loops - an out rule whose peer topics an in rule brings back as other site topics that it sends again is a loop', () => {
    expect(ruleFeedback([rule('a/#', 'out', '', 'r/'), rule('#', 'in', 'a/', 'r/')])).toEqual([{ out: 0, in: 1 }]);
    expect(ruleFeedback([rule('#', 'out', 'a/', 'r/'), rule('#', 'in', 'a/x/', 'r/')])).toEqual([{ out: 0, in: 1 }]);
    // The same mapping under a longer prefix on both sides is not.
    expect(ruleFeedback([rule('#', 'out', 'a/', 'r/'), rule('#', 'in', 'a/b/', 'r/b/')])).toEqual([]);
  });

  it('loops - a both rule, or in and out rules mapping the same way, are not (the origin mark stops the echo)', () => {
    expect(ruleFeedback([rule('alerts/#', 'both', 'plant/', 'factory/')])).toEqual([]);
    expect(ruleFeedback([rule('alerts/#', 'out', 'plant/', 'factory/'), rule('#', 'in', 'plant/', 'factory/')])).toEqual([]);
    expect(ruleFeedback([rule('x/#', 'out', 'plant/alerts/', 'factory/alerts/'), rule('alerts/#', 'in', 'plant/', 'factory/')])).toEqual([]);
  });

  it('loops - rules on topics that do not meet on both sides are not', () => {
    expect(ruleFeedback([rule('alerts/#', 'out', 'plant/', 'factory/'), rule('cmd/#', 'in', 'plant/', 'factory/')])).toEqual([]);
    expect(ruleFeedback([rule('alerts/#', 'out', 'plant/', 'factory/'), rule('#', 'in', 'remote/', 'factory/')])).toEqual([]);
    // What comes back lands under in/, which the out rule's +/temp does not match.
    expect(ruleFeedback([rule('+/temp', 'out', '', 'r/'), rule('#', 'in', 'in/', 'r/')])).toEqual([]);
    // The in rule takes only r/x/…, which the out rule never sends.
    expect(ruleFeedback([rule('a/#', 'out', '', 'r/'), rule('#', 'in', 'a/', 'r/x/')])).toEqual([]);
  });
});

describe('bridge config', () => {
  it('config - a good config has no problems', () => {
    expect(bridgeConfigProblems(config([rule('alerts/#', 'out', 'plant/', 'factory/')]))).toEqual([]);
  });

  it('config - names a bad scheme, jetstream on an MQTT peer, a lone username, wildcard prefixes and filters the site cannot carry', () => {
    const bad = { ...config([rule('a b/#', 'out'), rule('x/#', 'in', 'p/+/', '')]), peer: { url: 'http://127.0.0.1:4222', keepaliveS: 30, username: 'u', jetstream: true } };
    const problems = bridgeConfigProblems(bad);
    expect(problems.map((p) => p.path.join('.'))).toEqual(['peer.url', 'peer.jetstream', 'peer.password', 'rules.0.topic', 'rules.1.localPrefix']);
    expect(problems[0]!.message).toMatch(/scheme/);
    expect(bridgeConfigProblems(config([rule('a/#', 'out')], 'not a url'))[0]!.message).toMatch(/not a URL/);
    expect(bridgeConfigProblems(config([rule('a/#', 'out')], 'http://x'))[0]!.message).toMatch(/scheme/);
    // A NATS peer: its topics become subjects, so the peer side may hold no "." either.
    expect(bridgeConfigProblems(config([rule('a/#', 'out', '', 'f.x/')], 'nats://127.0.0.1:4222')).map((p) => p.path.join('.'))).toEqual(['rules.0.topic']);
    // MQTT QoS means nothing to a NATS peer: refused rather than ignored.
    expect(bridgeConfigProblems(config([rule('a/#', 'out', '', 'f/', 2)], 'nats://127.0.0.1:4222')).map((p) => p.path.join('.'))).toEqual(['rules.0.qos']);
    expect(bridgeConfigProblems({ ...config([rule('a/#', 'out', '', 'f/')], 'nats://127.0.0.1:4222'), peer: { url: 'nats://127.0.0.1:4222', keepaliveS: 30, jetstream: true } })).toEqual([]);
  });

  it('config - cairn apply rejects rules that feed each other through the peer, naming both, at the in rule', () => {
    const result = parseManifest(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: uplink }
spec:
  actors:
    - id: bridge
      module: cairn/bridge
      config:
        peer: { url: "mqtt://127.0.0.1:1883" }
        rules:
          - { topic: "a/#", direction: out, remotePrefix: "r/" }
          - { topic: "#", direction: in, localPrefix: "a/", remotePrefix: "r/" }
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.path, e.code])).toEqual([['spec.actors[0].config.rules[1]', 'CAIRN_MANIFEST_MODULE_CONFIG_REFUSED']]);
    expect(result.errors[0]!.message).toMatch(/rules\[0\] and rules\[1\] feed each other/);
  });

  it('config - a bridge rule and a route of the same application cannot capture the same topics', () => {
    const result = parseManifest(`apiVersion: cairn.dev/v1
kind: Application
metadata: { name: uplink }
spec:
  actors:
    - id: bridge
      module: cairn/bridge
      config:
        peer: { url: "mqtt://127.0.0.1:1883" }
        rules: [{ topic: "alerts/#", localPrefix: "plant/" }]
    - { id: a, behaviour: { module: ./a.ts } }
  routes:
    - { from: { mqtt: "plant/alerts/+" }, to: { actor: a } }
`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.code)).toContain('CAIRN_MANIFEST_BAD_MODULE_STREAM');
  });
});

describe('bridge drops and retries', () => {
  it('drops - a delivery past the floor counts the sequences it skipped; a redelivery counts nothing', () => {
    expect(dropsBeforeDelivery(10, 11)).toEqual({ dropped: 0, floor: 11 });
    expect(dropsBeforeDelivery(10, 15)).toEqual({ dropped: 4, floor: 15 });
    expect(dropsBeforeDelivery(10, 7)).toEqual({ dropped: 0, floor: 10 });
  });

  it('drops - a first sequence past both the floor and what was delivered counts the gap; delivered ones are not drops', () => {
    expect(dropsBeforeFirst(10, 31, 10)).toEqual({ dropped: 20, floor: 30 });
    expect(dropsBeforeFirst(10, 31, 25)).toEqual({ dropped: 5, floor: 30 });
    expect(dropsBeforeFirst(10, 8, 12)).toEqual({ dropped: 0, floor: 12 });
  });

  it('peer retry - 1 s, doubling, at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(peerRetryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });
});
