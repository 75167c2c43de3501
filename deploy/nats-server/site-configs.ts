import type {
  SyncInterval,
  NatsDuration,
  NatsLeafNodesConfig,
  NatsLeafRemote,
  NatsMqttConfig,
  NatsServerConfig,
  NatsTlsConfig,
  NatsWebSocketConfig,
} from './nats-server-config.ts';
import { SiteConfigProblems } from './site-config-problems.ts';

/** An MQTT 3.1.1 listener for the hub module (nats-server's own MQTT support). */
export interface MqttListenerOptions {
  /** @default the site's host */
  host?: string;
  port: number;
  /** Serve MQTT over TLS. @default plain TCP */
  tls?: NatsTlsConfig;
}

/** A WebSocket listener (NATS clients, and MQTT over WebSocket at path /mqtt). */
export interface WebSocketListenerOptions {
  /** @default the site's host */
  host?: string;
  port: number;
  /** Serve wss://; without it the listener is plain ws:// (no_tls: true). @default plain */
  tls?: NatsTlsConfig;
  /** Origins browsers may connect from. @default any */
  allowedOrigins?: readonly string[];
}

/** Credentials one edge uses on the hub's leafnode listener (the user name is the edge name). */
export interface EdgeLeafUser {
  /** The edge site's name. */
  name: string;
  /** Plain or bcrypt password; give the same one to that edge's `cloud.password`. */
  password: string;
}

/** A leafnode listener that edges (or chained sites) dial. */
export interface LeafListenerOptions {
  /** @default the site's host */
  host?: string;
  /** @default 7422 */
  port?: number;
  /**
   * "host:port" the hub gossips to its leaves: set it when leaves reach the hub through a proxy,
   * NAT or a public name and you want them to learn that address. Without it the hub gossips
   * nothing (`no_advertise: true`): each leaf dials exactly the URLs its own config lists, and a
   * leaf whose link dropped never re-dials a private address or around a proxy. @default none
   */
  advertise?: string;
  /** One user per edge; absent or empty means leaves connect without credentials. @default none */
  edges?: readonly EdgeLeafUser[];
}

/** What every site server has. */
export interface SiteServerOptions {
  /** Site name: becomes server_name (and the JetStream domain unless given). [A-Za-z0-9_-] */
  name: string;
  /** Absolute directory for JetStream data. */
  storeDir: string;
  /** Client listen host. @default "0.0.0.0" ("127.0.0.1" for embedded) */
  host?: string;
  /** Client port. @default 4222 */
  port?: number;
  /** Monitoring port. @default no monitoring listener */
  httpPort?: number;
  /** Monitoring host; kept on loopback unless you choose otherwise. @default "127.0.0.1" */
  httpHost?: string;
  /** Bytes of JetStream memory storage. @default nats-server's (75% of RAM) */
  maxMemoryStore?: number;
  /** Bytes of JetStream file storage. @default nats-server's (limited by the disk) */
  maxFileStore?: number;
  /**
   * JetStream `sync_interval`: `always` (fsync before each acknowledged write) or a duration
   * between fsyncs. @default by role, DEFAULT_SYNC_INTERVAL: edge and embedded "always", cloud "1s"
   */
  syncInterval?: SyncInterval;
  /** MQTT listener. @default none */
  mqtt?: MqttListenerOptions;
  /** WebSocket listener. @default none */
  websocket?: WebSocketListenerOptions;
  /** Debug logging. @default false */
  debug?: boolean;
  /** Protocol tracing. @default false */
  trace?: boolean;
}

/** A single local server (`cairn up`). */
export interface EmbeddedSiteOptions extends Omit<SiteServerOptions, 'name'> {
  /** @default "cairn" */
  name?: string;
  /** JetStream domain. @default none */
  domain?: string;
}

/** The cloud hub. */
export interface CloudSiteOptions extends Omit<SiteServerOptions, 'name'> {
  /** @default "cloud" */
  name?: string;
  /** @default "cloud" */
  domain?: string;
  /** Leafnode listener for the edges. @default { port: 7422 } on the site host */
  leafnodes?: LeafListenerOptions;
  /** Server-wide ping interval (clients and leaves). @default nats-server's "2m" */
  pingInterval?: NatsDuration;
  /** Unanswered pings before a connection is dropped. @default nats-server's 2 */
  pingMax?: number;
}

/** How an edge reaches the cloud. */
export interface CloudLinkOptions {
  /** The hub's leafnode URLs, "nats-leaf://host:port" (every cloud server, for a cluster). */
  urls: readonly string[];
  /** User on the hub's leafnode listener. @default the edge name when a password is given */
  user?: string;
  /** Password for `user` (written into the remote URL: a leaf remote has no password field). @default none */
  password?: string;
  /** A .creds file, for hubs run in operator (JWT) mode. @default none */
  credentials?: string;
  /** Local account the link binds to. @default the global account */
  account?: string;
  /** TLS to the hub. @default none */
  tls?: NatsTlsConfig;
}

/** An edge site: a leaf of the cloud with its own JetStream domain. */
export interface EdgeSiteOptions extends SiteServerOptions {
  /** @default the edge name */
  domain?: string;
  cloud: CloudLinkOptions;
  /** A leafnode listener of its own, for sites chained below this edge. @default none */
  leafnodes?: LeafListenerOptions;
  /**
   * Server-wide ping interval; on an edge it is how a silent loss of the cloud link is noticed.
   * @default "2s"
   */
  pingInterval?: NatsDuration;
  /** @default 3 */
  pingMax?: number;
}

/** A cloud made of several servers in one NATS cluster (one JetStream domain). */
export interface CloudClusterOptions {
  /** Site name; server i (from 0) is named "<name>-<i+1>". @default "cloud" */
  name?: string;
  /** @default "cloud" */
  domain?: string;
  /** Parent directory; each server stores under "<storeDir>/<server name>". */
  storeDir: string;
  /** Address of each server, used to listen and to dial routes. @default "127.0.0.1" for all */
  hosts?: readonly string[];
  /** Client port, one for all or one per server. @default 4222 */
  port?: number | readonly number[];
  /** Route port, one for all or one per server. @default 6222 */
  clusterPort?: number | readonly number[];
  /** Leafnode port, one for all or one per server. @default 7422 */
  leafPort?: number | readonly number[];
  /** Monitoring port, one for all or one per server. @default none */
  httpPort?: number | readonly number[];
  /** Monitoring host on every server. @default "127.0.0.1" */
  httpHost?: string;
  /** One user per edge on every server's leafnode listener. @default none */
  edges?: readonly EdgeLeafUser[];
  /** @default nats-server's "2m" */
  pingInterval?: NatsDuration;
  /** @default nats-server's 2 */
  pingMax?: number;
  maxMemoryStore?: number;
  maxFileStore?: number;
  /** @default DEFAULT_SYNC_INTERVAL.cloud ("1s") */
  syncInterval?: SyncInterval;
}

/**
 * How often each kind of site fsyncs JetStream writes, unless its options say otherwise. Edges
 * (and `cairn up`'s single site, which is an edge device's shape) lose power routinely: with
 * `always` no message a site acknowledged is lost to a power cut. The cloud runs where power is
 * protected and carries every site's traffic: "1s" bounds a power loss to the last second of
 * writes, against nats-server's default of two minutes, at a cost within the benchmark's spread.
 * bench/RESULTS.md ("Durability") measures what each costs.
 */
export const DEFAULT_SYNC_INTERVAL = { edge: 'always', embedded: 'always', cloud: '1s' } as const satisfies Record<string, SyncInterval>;

/** Defaults an edge uses to notice a dead cloud link. */
export const EDGE_PING_INTERVAL: NatsDuration = '2s';
export const EDGE_PING_MAX = 3;

/**
 * Upper bound, in ms, on how long a connection that went silent stays open: the server sends a
 * ping every interval and drops the link on the tick after `pingMax` pings went unanswered.
 * With the edge defaults ("2s", 3) that is 8 s.
 */
export function staleLinkBoundMs(pingInterval: NatsDuration, pingMax: number): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(pingInterval);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
  const interval = m === null ? Number.NaN : Number(m[1]) * unit[m[2] as keyof typeof unit];
  return interval * (pingMax + 1);
}

function checkServer(p: SiteConfigProblems, o: Omit<SiteServerOptions, 'name'>): void {
  p.storeDir('storeDir', o.storeDir);
  if (o.host !== undefined) p.host('host', o.host);
  if (o.port !== undefined) p.port('port', o.port);
  if (o.httpPort !== undefined) p.port('httpPort', o.httpPort);
  if (o.httpHost !== undefined) p.host('httpHost', o.httpHost);
  p.bytes('maxMemoryStore', o.maxMemoryStore);
  p.bytes('maxFileStore', o.maxFileStore);
  if (o.syncInterval !== undefined) p.syncInterval('syncInterval', o.syncInterval);
  if (o.mqtt !== undefined) {
    p.port('mqtt.port', o.mqtt.port);
    if (o.mqtt.host !== undefined) p.host('mqtt.host', o.mqtt.host);
  }
  if (o.websocket !== undefined) {
    p.port('websocket.port', o.websocket.port);
    if (o.websocket.host !== undefined) p.host('websocket.host', o.websocket.host);
  }
}

function checkLeafListener(p: SiteConfigProblems, field: string, l: LeafListenerOptions | undefined): void {
  if (l === undefined) return;
  if (l.host !== undefined) p.host(`${field}.host`, l.host);
  if (l.port !== undefined) p.port(`${field}.port`, l.port);
  if (l.advertise !== undefined) p.hostPort(`${field}.advertise`, l.advertise);
  checkEdgeUsers(p, `${field}.edges`, l.edges);
}

function checkEdgeUsers(p: SiteConfigProblems, field: string, edges: readonly EdgeLeafUser[] | undefined): void {
  const seen = new Set<string>();
  (edges ?? []).forEach((e, i) => {
    p.name(`${field}[${i}].name`, e.name);
    p.nonEmpty(`${field}[${i}].password`, e.password);
    if (seen.has(e.name)) p.add(`${field}[${i}].name is ${JSON.stringify(e.name)}, listed twice: give each edge one entry`);
    seen.add(e.name);
  });
}

function checkPing(p: SiteConfigProblems, interval: unknown, max: unknown): void {
  if (interval !== undefined) p.duration('pingInterval', interval);
  if (max !== undefined) p.positiveInteger('pingMax', max);
}

function base(
  o: Omit<SiteServerOptions, 'name'>,
  name: string,
  defaultHost: string,
  ping: { interval?: NatsDuration; max?: number },
): { head: NatsServerConfig; host: string } {
  const host = o.host ?? defaultHost;
  return {
    host,
    head: {
      server_name: name,
      host,
      port: o.port ?? 4222,
      http: o.httpPort === undefined ? undefined : `${o.httpHost ?? '127.0.0.1'}:${o.httpPort}`,
      ping_interval: ping.interval,
      ping_max: ping.max,
      debug: o.debug,
      trace: o.trace,
    },
  };
}

function jetstreamBlock(o: Omit<SiteServerOptions, 'name'>, domain: string | undefined, storeDir: string, role: keyof typeof DEFAULT_SYNC_INTERVAL): NatsServerConfig['jetstream'] {
  return { domain, store_dir: storeDir, max_memory_store: o.maxMemoryStore, max_file_store: o.maxFileStore, sync_interval: o.syncInterval ?? DEFAULT_SYNC_INTERVAL[role] };
}

function leafListener(l: LeafListenerOptions, host: string): NatsLeafNodesConfig {
  const edges = l.edges ?? [];
  return {
    listen: `${l.host ?? host}:${l.port ?? 7422}`,
    ...(l.advertise === undefined ? { no_advertise: true } : { advertise: l.advertise }),
    authorization: edges.length === 0 ? undefined : { users: edges.map((e) => ({ user: e.name, password: e.password })) },
  };
}

function hubListeners(o: Omit<SiteServerOptions, 'name'>, host: string): Pick<NatsServerConfig, 'mqtt' | 'websocket'> {
  const mqtt: NatsMqttConfig | undefined =
    o.mqtt === undefined ? undefined : { host: o.mqtt.host ?? host, port: o.mqtt.port, tls: o.mqtt.tls };
  const websocket: NatsWebSocketConfig | undefined =
    o.websocket === undefined
      ? undefined
      : {
          host: o.websocket.host ?? host,
          port: o.websocket.port,
          // nats-server refuses a websocket listener with neither tls nor an explicit no_tls.
          no_tls: o.websocket.tls === undefined ? true : undefined,
          tls: o.websocket.tls,
          allowed_origins: o.websocket.allowedOrigins,
        };
  return { mqtt, websocket };
}

function listenerPorts(o: Omit<SiteServerOptions, 'name'>, leafPort: number | undefined): [string, number | undefined][] {
  return [
    ['port', o.port ?? 4222],
    ['httpPort', o.httpPort],
    ['leafnodes.port', leafPort],
    ['mqtt.port', o.mqtt?.port],
    ['websocket.port', o.websocket?.port],
  ];
}

/** A single server with JetStream, for `cairn up` and tests; listens on 127.0.0.1 by default. */
export function embeddedConfig(o: EmbeddedSiteOptions): NatsServerConfig {
  const name = o.name ?? 'cairn';
  const p = new SiteConfigProblems('embedded site');
  p.name('name', name);
  if (o.domain !== undefined) p.name('domain', o.domain);
  checkServer(p, o);
  p.distinctPorts(listenerPorts(o, undefined));
  p.throwIfAny();
  const { head, host } = base(o, name, '127.0.0.1', {});
  return { ...head, jetstream: jetstreamBlock(o, o.domain, o.storeDir, 'embedded'), ...hubListeners(o, host) };
}

/** The cloud hub: JetStream domain "cloud", a leafnode listener with one user per edge. */
export function cloudSiteConfig(o: CloudSiteOptions): NatsServerConfig {
  const name = o.name ?? 'cloud';
  const domain = o.domain ?? 'cloud';
  const leaf = o.leafnodes ?? {};
  const p = new SiteConfigProblems(`cloud site ${JSON.stringify(name)}`);
  p.name('name', name);
  p.name('domain', domain);
  checkServer(p, o);
  checkLeafListener(p, 'leafnodes', leaf);
  checkPing(p, o.pingInterval, o.pingMax);
  p.distinctPorts(listenerPorts(o, leaf.port ?? 7422));
  p.throwIfAny();
  const { head, host } = base(o, name, '0.0.0.0', { interval: o.pingInterval, max: o.pingMax });
  return { ...head, jetstream: jetstreamBlock(o, domain, o.storeDir, 'cloud'), leafnodes: leafListener(leaf, host), ...hubListeners(o, host) };
}

function remoteUrl(raw: string, user: string | undefined, password: string | undefined): string {
  if (user === undefined) return raw;
  const url = new URL(raw);
  url.username = encodeURIComponent(user);
  if (password !== undefined) url.password = encodeURIComponent(password);
  return url.toString().replace(/\/$/, '');
}

/**
 * An edge: its own JetStream domain (the edge name), a leaf remote to the cloud, and a short
 * ping so a silently dead link is noticed within staleLinkBoundMs(pingInterval, pingMax)
 * (8 s with the defaults) instead of nats-server's default ~6 min (2m x (2+1)).
 */
export function edgeSiteConfig(o: EdgeSiteOptions): NatsServerConfig {
  const domain = o.domain ?? o.name;
  const pingInterval = o.pingInterval ?? EDGE_PING_INTERVAL;
  const pingMax = o.pingMax ?? EDGE_PING_MAX;
  const p = new SiteConfigProblems(`edge site ${JSON.stringify(o.name)}`);
  p.name('name', o.name);
  p.name('domain', domain);
  checkServer(p, o);
  checkLeafListener(p, 'leafnodes', o.leafnodes);
  checkPing(p, pingInterval, pingMax);
  const cloud = o.cloud as CloudLinkOptions | undefined;
  if (cloud === undefined || !Array.isArray(cloud.urls) || cloud.urls.length === 0) {
    p.add(`cloud.urls is ${JSON.stringify(cloud?.urls)}: give at least one "nats-leaf://host:port" of the cloud's leafnode listener`);
  } else {
    cloud.urls.forEach((u, i) => p.leafUrl(`cloud.urls[${i}]`, u));
    if (cloud.user !== undefined) p.nonEmpty('cloud.user', cloud.user);
    if (cloud.password !== undefined) p.nonEmpty('cloud.password', cloud.password);
    if (cloud.user !== undefined && cloud.password === undefined) p.add('cloud.user is set without cloud.password: give the password the cloud lists for this edge');
    if (cloud.credentials !== undefined && cloud.password !== undefined) p.add('cloud.credentials and cloud.password are both set: use one way to authenticate');
  }
  p.distinctPorts(listenerPorts(o, o.leafnodes === undefined ? undefined : (o.leafnodes.port ?? 7422)));
  p.throwIfAny();

  const link = cloud!;
  const user = link.user ?? (link.password === undefined ? undefined : o.name);
  const remote: NatsLeafRemote = {
    urls: link.urls.map((u) => remoteUrl(u, user, link.password)),
    credentials: link.credentials,
    account: link.account,
    tls: link.tls,
  };
  const { head, host } = base(o, o.name, '0.0.0.0', { interval: pingInterval, max: pingMax });
  return {
    ...head,
    jetstream: jetstreamBlock(o, domain, o.storeDir, 'edge'),
    leafnodes: { ...(o.leafnodes === undefined ? {} : leafListener(o.leafnodes, host)), remotes: [remote] },
    ...hubListeners(o, host),
  };
}

function perServer<T>(value: T | readonly T[] | undefined, fallback: T | undefined, n: number): (T | undefined)[] {
  if (Array.isArray(value)) return Array.from({ length: n }, (_, i) => (value as readonly T[])[i]);
  return Array.from({ length: n }, () => (value as T | undefined) ?? fallback);
}

/**
 * `n` servers forming one cloud site: a NATS cluster (routes to every other server) with
 * JetStream in one domain, each with a unique server_name (nats-server requires it for JetStream
 * clustering) and its own store dir and leafnode listener.
 */
export function cloudClusterConfigs(n: number, o: CloudClusterOptions): NatsServerConfig[] {
  const name = o.name ?? 'cloud';
  const domain = o.domain ?? 'cloud';
  const p = new SiteConfigProblems(`cloud cluster ${JSON.stringify(name)}`);
  p.name('name', name);
  p.name('domain', domain);
  p.storeDir('storeDir', o.storeDir);
  checkPing(p, o.pingInterval, o.pingMax);
  p.bytes('maxMemoryStore', o.maxMemoryStore);
  p.bytes('maxFileStore', o.maxFileStore);
  if (o.syncInterval !== undefined) p.syncInterval('syncInterval', o.syncInterval);
  checkEdgeUsers(p, 'edges', o.edges);
  if (o.httpHost !== undefined) p.host('httpHost', o.httpHost);
  if (!Number.isInteger(n) || n < 1) p.add(`n is ${JSON.stringify(n)}: use the number of servers, at least 1 (3 or 5 for JetStream quorum)`);
  const count = Number.isInteger(n) && n >= 1 ? n : 0;
  const lists = { hosts: o.hosts, port: o.port, clusterPort: o.clusterPort, leafPort: o.leafPort, httpPort: o.httpPort };
  for (const [field, list] of Object.entries(lists)) {
    if (Array.isArray(list) && list.length !== count) p.add(`${field} has ${list.length} entries for ${JSON.stringify(n)} servers: give one per server, or one number for all`);
  }
  const hosts = perServer(o.hosts, '127.0.0.1', count);
  const ports = perServer(o.port, 4222, count);
  const clusterPorts = perServer(o.clusterPort, 6222, count);
  const leafPorts = perServer(o.leafPort, 7422, count);
  const httpPorts = perServer(o.httpPort, undefined, count);
  const taken = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    p.host(`hosts[${i}]`, hosts[i]);
    const own: [string, number | undefined][] = [
      [`port[${i}]`, ports[i]],
      [`clusterPort[${i}]`, clusterPorts[i]],
      [`leafPort[${i}]`, leafPorts[i]],
      [`httpPort[${i}]`, httpPorts[i]],
    ];
    for (const [field, port] of own) {
      if (port === undefined) continue;
      p.port(field, port);
      // Servers on one machine (same host address) must not share a port; on different machines
      // they may, loopback monitoring included.
      const key = `${hosts[i]}:${port}`;
      const other = taken.get(key);
      if (other !== undefined) p.add(`${field} is ${port} on ${hosts[i]}, the same as ${other}: give each listener on a host its own port`);
      else taken.set(key, field);
    }
  }
  p.throwIfAny();

  const serverName = (i: number): string => `${name}-${i + 1}`;
  const edges = o.edges ?? [];
  return Array.from({ length: count }, (_, i): NatsServerConfig => {
    const host = hosts[i]!;
    return {
      server_name: serverName(i),
      host,
      port: ports[i],
      http: httpPorts[i] === undefined ? undefined : `${o.httpHost ?? '127.0.0.1'}:${httpPorts[i]}`,
      ping_interval: o.pingInterval,
      ping_max: o.pingMax,
      jetstream: {
        domain,
        store_dir: `${o.storeDir.replace(/\/+$/, '')}/${serverName(i)}`,
        max_memory_store: o.maxMemoryStore,
        max_file_store: o.maxFileStore,
        sync_interval: o.syncInterval ?? DEFAULT_SYNC_INTERVAL.cloud,
      },
      leafnodes: {
        listen: `${host}:${leafPorts[i]}`,
        // Edges list every cloud server in their own config (leafUrlsOf): nothing to gossip.
        no_advertise: true,
        authorization: edges.length === 0 ? undefined : { users: edges.map((e) => ({ user: e.name, password: e.password })) },
      },
      cluster: {
        name,
        listen: `${host}:${clusterPorts[i]}`,
        routes: Array.from({ length: count }, (_, j) => j)
          .filter((j) => j !== i)
          .map((j) => `nats-route://${hosts[j]}:${clusterPorts[j]}`),
      },
    };
  });
}

/**
 * The leafnode URLs of a cloud's servers (advertise, else listen), for an edge's `cloud.urls`.
 * A wildcard listen host cannot be dialled, so it is replaced by `wildcardHost`.
 * @param wildcardHost @default "127.0.0.1"
 */
export function leafUrlsOf(configs: readonly NatsServerConfig[], wildcardHost = '127.0.0.1'): string[] {
  return configs.flatMap((c) => {
    const address = c.leafnodes?.advertise ?? c.leafnodes?.listen;
    if (address === undefined) return [];
    return [`nats-leaf://${address.replace(/^(0\.0\.0\.0|\[::\]):/, `${wildcardHost}:`)}`];
  });
}
