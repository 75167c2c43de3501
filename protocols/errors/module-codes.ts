import type { ErrorCodeEntry } from './cairn-error.ts';

/** Error codes raised by Cairn's built-in modules (actors/). */
export const ModuleCodes = {
  HUB_TOPIC_REFUSED: 'CAIRN_HUB_TOPIC_REFUSED',
  HUB_MESSAGE_INVALID: 'CAIRN_HUB_MESSAGE_INVALID',
  HUB_NOT_CONNECTED: 'CAIRN_HUB_NOT_CONNECTED',
  HUB_PUBLISH_FAILED: 'CAIRN_HUB_PUBLISH_FAILED',
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
    code: ModuleCodes.HUB_NOT_CONNECTED,
    summary: "The hub has no MQTT connection to its site's server yet: no listener (neither the hub's nor the site's), or the process running the server has not told it the login yet. The message is retried with backoff, then dead-lettered.",
    fix: 'Give the hub (or the site) an MQTT listener; check the node log for device access errors (CAIRN_DEVICE_ACCESS_NOT_APPLIED).',
  },
  {
    code: ModuleCodes.HUB_PUBLISH_FAILED,
    summary: 'The site server did not acknowledge a QoS 1 message to devices within 10 s (it restarts, or is overloaded). The message is retried with backoff, then dead-lettered.',
    fix: "Read the node log and the site's nats-server.log; `cairn dlq replay` sends dead-lettered messages again.",
  },
];
