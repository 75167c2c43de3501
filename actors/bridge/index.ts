// cairn/bridge: a site and one remote MQTT broker, rules both ways, a durable outbound buffer.
import { defineModule } from '../../kernel/index.ts';
import { BridgeActor, OUTBOUND_STREAM } from './bridge-actor.ts';
import { bridgeConfigProblems } from './bridge-check.ts';
import { BridgeConfig } from './bridge-config.ts';
import { outboundSubjects } from './bridge-topics.ts';

export const BridgeModule = defineModule({
  name: 'cairn/bridge',
  description: 'Connects its site to a remote MQTT broker: rules both ways with prefix rewrite and QoS, outbound messages buffered in a stream until the peer acknowledges them',
  config: BridgeConfig,
  behaviour: BridgeActor,
  // It reads its buffer stream with its node's own connection.
  modes: ['inline'],
  check: bridgeConfigProblems,
  streams: (config) => {
    const subjects = outboundSubjects(config);
    if (subjects.length === 0) return [];
    return [{ name: OUTBOUND_STREAM, subjects, retention: 'workqueue', discard: 'old', maxAgeMs: config.buffer.maxAgeMs, maxBytes: config.buffer.maxBytes, ...(config.buffer.maxMsgs === undefined ? {} : { maxMsgs: config.buffer.maxMsgs }) }];
  },
});

export { BridgeActor, OUTBOUND_STREAM } from './bridge-actor.ts';
export type { BridgeEventMsg, BridgeMsg, BridgeSendMsg, BridgeState, BridgeStatus } from './bridge-actor.ts';
export { BridgeConfig, BridgeRule } from './bridge-config.ts';
export { bridgeConfigProblems } from './bridge-check.ts';
export { ORIGIN_HEADER, inboundDecision, mqttFiltersIntersect, mqttTopicMatches, outboundDecision, outboundSubjects, ruleFeedback } from './bridge-topics.ts';
export { dropsBeforeDelivery, dropsBeforeFirst } from './bridge-drops.ts';
export { peerRetryDelayMs } from './bridge-peer.ts';
