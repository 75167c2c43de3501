import type { ErrorCodeEntry } from './cairn-error.ts';

/** Error codes raised by Cairn's built-in modules (actors/). */
export const ModuleCodes = {
  HUB_TOPIC_REFUSED: 'CAIRN_HUB_TOPIC_REFUSED',
  HUB_MESSAGE_INVALID: 'CAIRN_HUB_MESSAGE_INVALID',
  HUB_NOT_CONNECTED: 'CAIRN_HUB_NOT_CONNECTED',
  HUB_PUBLISH_FAILED: 'CAIRN_HUB_PUBLISH_FAILED',
  HUB_CERT_NOT_FOR_CLIENTS: 'CAIRN_HUB_CERT_NOT_FOR_CLIENTS',
  BRIDGE_TOPIC_REFUSED: 'CAIRN_BRIDGE_TOPIC_REFUSED',
  BRIDGE_MESSAGE_INVALID: 'CAIRN_BRIDGE_MESSAGE_INVALID',
  BRIDGE_PEER_DOWN: 'CAIRN_BRIDGE_PEER_DOWN',
  BRIDGE_DROPPED: 'CAIRN_BRIDGE_DROPPED',
  BRIDGE_INBOUND_REFUSED: 'CAIRN_BRIDGE_INBOUND_REFUSED',
  BRIDGE_NO_CONNECTION: 'CAIRN_BRIDGE_NO_CONNECTION',
  BRIDGE_SUBSCRIBE_REFUSED: 'CAIRN_BRIDGE_SUBSCRIBE_REFUSED',
} as const;

export const moduleCodeEntries: readonly ErrorCodeEntry[] = [
  {
    code: ModuleCodes.HUB_TOPIC_REFUSED,
    summary: "A message to devices through the hub (`{ type: publish }`) names a topic no device could get: a wildcard, `.`, a space or an empty level, or a topic no principal may subscribe to. The hub does not restart for it; after its attempts (5) the message goes to the site's dead letters with this code.",
    fix: "Publish to a literal topic (plant/s1/cmd) that a principal's `subscribe` filters cover; `cairn ask hub '{\"type\":\"status\"}'` lists the principals.",
  },
  {
    code: ModuleCodes.HUB_MESSAGE_INVALID,
    summary: 'A message to devices through the hub (`{ type: publish }`) is malformed: `topic` is not a string, `payload` is neither a string nor bytes, `qos` is not 0 or 1, or `retain` is not a boolean. The error names each bad field; after its attempts the message goes to the dead letters with this code.',
    fix: "Send `{ type: 'publish', topic: 'cmd/s1/valve', payload: 'close', qos: 1 }` (qos and retain optional); see docs/hub.md.",
  },
  {
    code: ModuleCodes.HUB_CERT_NOT_FOR_CLIENTS,
    summary: "The hub cannot log in to its site's MQTT listener: the listener verifies clients (tls.verify or tls.map), the hub presents the listener's own certificate, and that certificate's extended key usage leaves out client authentication. Messages to devices fail with this code; the hub's status shows it.",
    fix: 'Use a listener certificate that allows client authentication too (no extendedKeyUsage, or serverAuth and clientAuth; `cairn site init` makes one), or drop verify/map from the listener.',
  },
  {
    code: ModuleCodes.HUB_NOT_CONNECTED,
    summary: "The hub has no MQTT connection to its site's server yet: no listener (neither the hub's nor the site's), or the process running the server has not told it the login yet. The message is retried with backoff, then dead-lettered.",
    fix: 'Give the hub (or the site) an MQTT listener; check the node log for device access errors (CAIRN_DEVICE_ACCESS_NOT_APPLIED).',
  },
  {
    code: ModuleCodes.HUB_PUBLISH_FAILED,
    summary: 'The site server did not acknowledge a QoS 1 message to devices within 10 s (it restarts, or is overloaded). The message is retried with backoff, then dead-lettered.',
    fix: "Read the node log and the site's nats-server.log; `cairn dlq replay` sends dead-lettered messages again.",
  },
  {
    code: ModuleCodes.BRIDGE_TOPIC_REFUSED,
    summary: "A message to the bridge (`{ type: send }`) names a local topic that no `out` or `both` rule sends to the peer, or a topic that is not a literal MQTT topic. After its attempts the message goes to the site's dead letters with this code.",
    fix: "Send to a topic one of the bridge's outbound rules covers (local prefix + rule topic); `cairn ask <bridge> '{\"type\":\"status\"}'` lists the rules.",
  },
  {
    code: ModuleCodes.BRIDGE_MESSAGE_INVALID,
    summary: 'A message to the bridge (`{ type: send }`) is malformed: `topic` is not a string or `payload` is neither a string nor bytes. The error names each bad field.',
    fix: "Send `{ type: 'send', topic: 'plant/alerts/p1', payload: '...' }`; see docs/bridge.md.",
  },
  {
    code: ModuleCodes.BRIDGE_PEER_DOWN,
    summary: "The bridge lost, or cannot reach, its remote broker. It retries with backoff (1 s doubling to 30 s) and keeps buffering outbound messages in its stream meanwhile; logged when the link goes down and told to `report.to`.",
    fix: "Check the peer's URL, credentials and reachability; `cairn ps` shows the bridge's buffer and the peer's state. The buffer's limits (`buffer.maxAgeMs`, `buffer.maxBytes`) decide how long an outage it rides out.",
  },
  {
    code: ModuleCodes.BRIDGE_DROPPED,
    summary: "The bridge's outbound buffer reached a limit (age, bytes or messages) while its peer was away or slow, and dropped its oldest messages before they were sent. Each drop is counted (persisted), logged and told to `report.to`.",
    fix: 'Raise `buffer.maxAgeMs` / `buffer.maxBytes`, or find why the peer is down or slow (`cairn ps`, the node log).',
  },
  {
    code: ModuleCodes.BRIDGE_INBOUND_REFUSED,
    summary: "A message from the peer could not be brought onto the site: its topic, under the rule's local prefix, is not one a site can carry (a `.`, `*`, `>`, a space or an empty level, which nats-server cannot map to a subject). It is acknowledged to the peer, counted and logged.",
    fix: 'Change the publisher on the peer, or the rule, so the topics it brings in are plain MQTT levels.',
  },
  {
    code: ModuleCodes.BRIDGE_NO_CONNECTION,
    summary: "A bridge ran without its node's connection to the site's server: it runs inline only (the manifest's `runtime` must be inline or absent).",
    fix: 'Remove `runtime` from the bridge actor in the manifest.',
  },
  {
    code: ModuleCodes.BRIDGE_SUBSCRIBE_REFUSED,
    summary: "The peer did not take the bridge's subscriptions for its `in`/`both` rules (not authorized, a bad filter, or no answer): nothing comes in by those rules. Logged once per connection; the bridge tries again when it next connects.",
    fix: "Check the peer's ACL for the bridge's user and the rules' remote filters (`remotePrefix + topic`).",
  },
];
