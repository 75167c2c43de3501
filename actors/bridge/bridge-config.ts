import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { NAME_PATTERN } from '../../protocols/index.ts';

/**
 * One bridge rule, as mosquitto's `topic <pattern> <direction> <qos> <local-prefix> <remote-prefix>`:
 * a topic on the site is `localPrefix + t`, the same message at the peer `remotePrefix + t`, for
 * every `t` that `topic` matches.
 */
export const BridgeRule = Type.Object(
  {
    topic: Type.String({ minLength: 1, description: 'MQTT topic filter (+ and #), between the prefixes.' }),
    direction: Type.Union([Type.Literal('out'), Type.Literal('in'), Type.Literal('both')], { default: 'out', description: 'out: site to peer; in: peer to site; both.' }),
    qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], {
      default: 1,
      description: 'QoS with the peer: what the bridge publishes there, and subscribes with. 2 gives exactly once across a cut link while the bridge runs.',
    }),
    localPrefix: Type.String({ default: '', description: 'Put before the topic on the site.' }),
    remotePrefix: Type.String({ default: '', description: 'Put before the topic at the peer.' }),
  },
  { additionalProperties: false },
);

/** The `config` of a `cairn/bridge` actor: one peer, its rules, the outbound buffer. */
export const BridgeConfig = Type.Object(
  {
    peer: Type.Object(
      {
        url: Type.String({ minLength: 1, description: 'The remote broker: mqtt://host:port, mqtts://, ws:// or wss:// (MQTT 5), or a NATS server: nats://host:port.' }),
        jetstream: Type.Optional(Type.Boolean({ description: 'NATS peers only: publish with JetStream, acked once a stream of the peer stored each message (it needs one capturing the remote subjects). @default false: acked once the peer\'s server took it in' })),
        clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'MQTT client id at the peer. @default cairn-bridge-<site>-<actor id>' })),
        username: Type.Optional(Type.String({ minLength: 1 })),
        password: Type.Optional(Type.String({ minLength: 1 })),
        keepaliveS: Type.Integer({ minimum: 5, maximum: 3600, default: 30, description: 'MQTT keepalive, in seconds: how soon a silent dead link is noticed.' }),
      },
      { additionalProperties: false },
    ),
    rules: Type.Array(BridgeRule, { minItems: 1, description: 'What crosses, in which direction. A topic is sent by the first rule that matches it.' }),
    buffer: Type.Object(
      {
        maxAgeMs: Type.Integer({ minimum: 1_000, default: 86_400_000, description: 'Outbound messages older than this are dropped unsent (oldest first). @default 1 day' }),
        maxBytes: Type.Integer({ minimum: 1_024, default: 268_435_456, description: 'Beyond this many bytes buffered the oldest are dropped. @default 256 MiB' }),
        maxMsgs: Type.Optional(Type.Integer({ minimum: 1, description: 'Beyond this many messages buffered the oldest are dropped. @default no limit' })),
      },
      { additionalProperties: false, default: {}, description: "The per-peer stream outbound messages wait in until the peer acknowledged them." },
    ),
    inflight: Type.Integer({ minimum: 1, maximum: 1_000, default: 64, description: 'Outbound messages sent and not yet acknowledged by the peer, at most.' }),
    ackWaitS: Type.Integer({ minimum: 5, maximum: 3_600, default: 30, description: 'How long an outbound message handed to the bridge may go unacknowledged before its buffer hands it out again (the bridge keeps those it waits on the peer for alive). @default 30' }),
    report: Type.Optional(
      Type.Object(
        { to: Type.String({ pattern: NAME_PATTERN.source, description: 'Id of an actor, on this site, told when the peer goes down or up and when messages are dropped (a BridgeEventMsg).' }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type BridgeConfig = Static<typeof BridgeConfig>;
export type BridgeRule = Static<typeof BridgeRule>;
