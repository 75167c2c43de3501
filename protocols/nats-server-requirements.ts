/**
 * The NATS server Cairn needs. Cairn states the oldest release that has everything it uses and
 * refuses older ones at start (CAIRN_NATS_SERVER_TOO_OLD); it is built and tested on the pinned one.
 *
 * What sets the minimum (nats-server release that introduced it):
 * - 2.15: a hub's `leafnodes { no_advertise: true }` is honoured (2.14 parses it and gossips
 *   anyway), so an edge dials only the URLs its config lists, never around a proxy or NAT;
 * - 2.14: the consumer reset API (`$JS.API.CONSUMER.RESET`), with which a site's outbox forwarder
 *   moves its consumer on a peer back to the ack floor before each pull session;
 * - 2.11: per-message TTL (`allow_msg_ttl`, the `Nats-TTL` header) for tells with a time to live;
 * - 2.10: JetStream `sync_interval`, consumers with several filter subjects, MQTT QoS 2.
 */
export const MIN_NATS_SERVER_VERSION = '2.15.0';

/** The nats-server release Cairn is built and tested on, and that `cairn server install` builds. */
export const PINNED_NATS_SERVER_VERSION = '2.15.2';

/** The NATS CLI release `cairn server install` builds beside it (operators' tool; `nats bench` in the benchmarks). */
export const PINNED_NATS_CLI_VERSION = '0.5.0';

/** The command that installs the pinned server (named in every "not found" and "too old" error). */
export const NATS_SERVER_INSTALL_COMMAND = 'npx cairn server install';

/** Where to get a server without Go. */
export const NATS_SERVER_DOWNLOADS = 'https://github.com/nats-io/nats-server/releases';

/** Parses "nats-server: v2.9.10" (or "2.9.10", "v0.5.0") into "2.9.10"; undefined if there is no version. */
export function parseVersion(text: string): string | undefined {
  return /v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(text)?.[1];
}

/**
 * True when `version` ("2.9.10") is at least `min` ("2.10.0"). A pre-release counts as its
 * release ("2.15.0-RC.1" meets "2.15.0"): builds from a release branch have what it ships.
 */
export function versionAtLeast(version: string, min: string): boolean {
  const parts = (v: string): number[] => v.split('-')[0]!.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const a = parts(version);
  const b = parts(min);
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** The message of a too-old server error: the version found, the minimum, and how to get the right one. */
export function tooOldMessage(found: string, where: string): string {
  return (
    `nats-server ${found} (${where}) is older than ${MIN_NATS_SERVER_VERSION}, the oldest release Cairn runs on ` +
    `(it needs leaf no_advertise, the consumer reset API, per-message TTL and sync_interval). Install v${PINNED_NATS_SERVER_VERSION} with \`${NATS_SERVER_INSTALL_COMMAND}\` ` +
    `(builds it with Go), or download a release from ${NATS_SERVER_DOWNLOADS} and set NATS_SERVER=/path/to/nats-server.`
  );
}
