import type { ConfigBlock } from './serialize-config.ts';
import { serializeConfig } from './serialize-config.ts';

/**
 * Typed nats-server configuration. Field names are nats-server's own config keys, so the object
 * is written as-is by serializeConfig (see renderNatsServerConfig) and the nats-server docs apply
 * field by field. Only the subset Cairn uses is typed; nats-server rejects unknown keys.
 */

/** A duration string as nats-server reads it, e.g. "2s", "500ms", "2m". */
export type NatsDuration = `${number}${'ms' | 's' | 'm' | 'h'}`;

/** A `tls { ... }` block for a listener or a leaf remote. */
export interface NatsTlsConfig {
  /** PEM certificate chain file. */
  cert_file?: string;
  /** PEM private key file. */
  key_file?: string;
  /** PEM CA bundle to verify peers with. @default system roots */
  ca_file?: string;
  /** Require and verify client certificates. @default false */
  verify?: boolean;
  /** Require client certificates and log each client in as the user its certificate's subject names. @default false */
  verify_and_map?: boolean;
  /** TLS handshake timeout in seconds. @default 2 (listeners), 0.5 for some */
  timeout?: number;
}

/** Subjects a user may publish or subscribe to: a plain allow list, or allow/deny lists. */
export type NatsPermissionList = readonly string[] | { allow?: readonly string[]; deny?: readonly string[] };

/** Per-user permissions. @default everything allowed */
export interface NatsPermissions {
  publish?: NatsPermissionList;
  subscribe?: NatsPermissionList;
}

/** One user in an `authorization` or account `users` list. */
export interface NatsUser {
  /** User name. */
  user: string;
  /** Plain text or bcrypt ("$2a$...") password; always written quoted. Absent: a user a client certificate maps to (`verify_and_map`). */
  password?: string;
  /** Account the user binds to (leafnode authorization users only). @default the global account */
  account?: string;
  /** Subject permissions. @default everything allowed */
  permissions?: NatsPermissions;
  /**
   * The kinds of connection the user may make: "STANDARD" (NATS clients), "WEBSOCKET", "LEAFNODE",
   * "MQTT", "MQTT_WS" (MQTT over WebSocket). @default any
   */
  allowed_connection_types?: readonly NatsConnectionType[];
}

/** A kind of connection, as `allowed_connection_types` names it. */
export type NatsConnectionType = 'STANDARD' | 'WEBSOCKET' | 'LEAFNODE' | 'MQTT' | 'MQTT_WS';

/** An `authorization { users: [...] }` block. */
export interface NatsAuthorization {
  users?: readonly NatsUser[];
  /** Seconds a client has to authenticate. @default 2 (0.5 for leafnodes) */
  timeout?: number;
}

/** One account in `accounts { NAME: {...} }`. */
export interface NatsAccount {
  users?: readonly NatsUser[];
  /** "enabled" gives the account JetStream with the server's limits. @default disabled */
  jetstream?: 'enabled' | 'disabled';
}

/** The `jetstream { ... }` block. Present means JetStream is on. */
export interface NatsJetStreamConfig {
  /** JetStream domain; one per site (cloud, edge1, ...). @default no domain */
  domain?: string;
  /** Directory for stream data; nats-server appends "/jetstream". @default a temp dir */
  store_dir?: string;
  /** Bytes of memory storage. @default 75% of RAM */
  max_memory_store?: number;
  /** Bytes of file storage. @default up to 1 TB, limited by the disk */
  max_file_store?: number;
  /**
   * When stored messages are flushed to disk with fsync: `always` before each write is
   * acknowledged, or every interval. Until then an acknowledged message is in the OS page cache:
   * it survives a killed server, not a power loss. @default "2m" (nats-server's)
   */
  sync_interval?: SyncInterval;
}

/** `always` (fsync before each acknowledgement) or a duration between fsyncs. */
export type SyncInterval = 'always' | NatsDuration;

/** One entry of `leafnodes { remotes: [...] }`: a hub this server dials as a leaf. */
export interface NatsLeafRemote {
  /**
   * Hub URLs, "nats-leaf://[user:password@]host:port". nats-server has no user/password fields on a
   * remote (they are rejected as unknown), so basic credentials go in the URL.
   */
  urls: readonly string[];
  /** A .creds file (JWT + nkey seed) for operator-mode hubs. @default none */
  credentials?: string;
  /** Local account the leaf connection binds to. @default the global account */
  account?: string;
  /** TLS for the connection to the hub. @default none */
  tls?: NatsTlsConfig;
  /** Subjects whose messages this server never sends over the link (changing it needs a restart). @default none */
  deny_exports?: readonly string[];
  /** Subjects whose messages this server never takes from the link. @default none */
  deny_imports?: readonly string[];
}

/** The `leafnodes { ... }` block. */
export interface NatsLeafNodesConfig {
  /** Where this server accepts leaf connections, "host:port". @default no listener */
  listen?: string;
  /**
   * "host:port" this hub tells leaves to use when it gossips its leaf URLs (e.g. a proxy or a
   * public address). @default the listen address
   */
  advertise?: string;
  /**
   * Do not gossip this hub's leaf URLs to leaves: a leaf dials only the URLs in its own config.
   * (Leaves re-dial gossiped URLs after a link drops, around any proxy in between.) @default false
   */
  no_advertise?: boolean;
  /** Users leaves authenticate as (one per edge). @default no authentication */
  authorization?: NatsAuthorization;
  /** Hubs to connect to as a leaf. @default none */
  remotes?: readonly NatsLeafRemote[];
  /** Seconds between reconnect attempts to a remote. @default 1 */
  reconnect?: number;
  /** TLS for the listener. @default none */
  tls?: NatsTlsConfig;
}

/** The `mqtt { ... }` block (MQTT 3.1.1; needs JetStream and server_name). */
export interface NatsMqttConfig {
  /** Listen host. @default "0.0.0.0" */
  host?: string;
  /** Listen port. @default 1883 */
  port: number;
  /** TLS for MQTT over TLS. @default none */
  tls?: NatsTlsConfig;
  /** User that unauthenticated MQTT clients act as. @default none */
  no_auth_user?: string;
  /** MQTT-only users. @default the server's users */
  authorization?: NatsAuthorization;
  /** How long the server waits for a QoS 1 PUBACK before redelivering. @default "30s" */
  ack_wait?: NatsDuration;
  /** QoS 1 messages in flight per subscription. @default 1024 */
  max_ack_pending?: number;
}

/** The `websocket { ... }` block (NATS and MQTT-over-WebSocket at path /mqtt). */
export interface NatsWebSocketConfig {
  /** Listen host. @default "0.0.0.0" */
  host?: string;
  /** Listen port. */
  port: number;
  /** Serve plain ws:// (required when there is no tls block). @default false */
  no_tls?: boolean;
  /** TLS for wss://. @default none */
  tls?: NatsTlsConfig;
  /** Accept only browsers from the page's own origin. @default false */
  same_origin?: boolean;
  /** Origins browsers may connect from. @default any */
  allowed_origins?: readonly string[];
  /** Offer per-message deflate. @default false */
  compression?: boolean;
}

/** The `cluster { ... }` block for a multi-server site. */
export interface NatsClusterConfig {
  /** Cluster name; the same on every server of the site. */
  name: string;
  /** Route listener, "host:port". */
  listen: string;
  /** Route URLs of the other servers, "nats-route://host:port". @default none */
  routes?: readonly string[];
  /** Do not gossip this server's route URL to clients. @default false */
  no_advertise?: boolean;
  /** Route attempts before giving up on an explicit route; 0 = forever. @default 0 */
  connect_retries?: number;
}

/** A whole nats-server config file. */
export interface NatsServerConfig {
  /** Unique server name; required for JetStream domains, leafnodes with JetStream, MQTT and clusters. */
  server_name?: string;
  /** Client listen host. @default "0.0.0.0" */
  host?: string;
  /** Client listen port; -1 picks a random port (startNatsServer needs a real one). @default 4222 */
  port?: number;
  /** Monitoring listener, "host:port". @default none */
  http?: string;
  /**
   * Server-wide ping interval for all connections, including leaf connections; with ping_max it
   * bounds how long a silent link loss goes unnoticed. @default "2m"
   */
  ping_interval?: NatsDuration;
  /** Unanswered pings before a connection is closed as stale. @default 2 */
  ping_max?: number;
  /** Largest message payload in bytes. @default 1048576 */
  max_payload?: number;
  /** Time to wait for a lame-duck shutdown to drain clients. @default "2m" */
  lame_duck_duration?: NatsDuration;
  /** Debug log lines. @default false */
  debug?: boolean;
  /** Protocol trace log lines (very verbose). @default false */
  trace?: boolean;
  /** Timestamps on log lines. @default true */
  logtime?: boolean;
  /** Log to this file instead of stderr (startNatsServer refuses it: use onLog). @default stderr */
  logfile?: string;
  /** Client authorization for the global account. @default none */
  authorization?: NatsAuthorization;
  /** Accounts (multi-tenant isolation). @default one global account */
  accounts?: Readonly<Record<string, NatsAccount>>;
  /** Name of the system account. @default "$SYS" */
  system_account?: string;
  /** User clients without credentials act as. @default none */
  no_auth_user?: string;
  /** JetStream; absent = off. */
  jetstream?: NatsJetStreamConfig;
  /** Leaf node listener and remotes. @default none */
  leafnodes?: NatsLeafNodesConfig;
  /** Cluster of servers in one site. @default none */
  cluster?: NatsClusterConfig;
  /** MQTT listener. @default none */
  mqtt?: NatsMqttConfig;
  /** WebSocket listener. @default none */
  websocket?: NatsWebSocketConfig;
}

/** Writes a NatsServerConfig as nats-server config file text (keys in the order given). */
export function renderNatsServerConfig(config: NatsServerConfig): string {
  // The typed fields are all strings, numbers, booleans, arrays and plain objects.
  return serializeConfig(config as unknown as ConfigBlock);
}
