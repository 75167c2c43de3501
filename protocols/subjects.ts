import { assertName } from './names.ts';

/**
 * Every subject, stream, consumer and bucket name Cairn uses. Nothing else builds these strings.
 *
 * Names carry the site so that several sites can share one JetStream (tests, small setups) and so
 * that subjects of different sites never overlap across leaf-node links (a stream in one domain
 * must not capture another site's traffic).
 */
export const Subjects = {
  /** Subject of one actor's mailbox: `cairn.mbx.<site>.<actor>`. */
  mailbox(site: string, actor: string): string {
    assertName(site, 'site name');
    assertName(actor, 'actor id');
    return `cairn.mbx.${site}.${actor}`;
  },
  /** Wildcard over every mailbox of a site: `cairn.mbx.<site>.>`. */
  mailboxes(site: string): string {
    assertName(site, 'site name');
    return `cairn.mbx.${site}.>`;
  },
  /**
   * Subject of a message from site `from` to an actor of site `to`, in the sender's outbox:
   * `cairn.out.<from>.<to>.<actor>`. The receiving site's mailbox stream sources it.
   */
  outbox(from: string, to: string, actor: string): string {
    assertName(from, 'site name');
    assertName(to, 'site name');
    assertName(actor, 'actor id');
    return `cairn.out.${from}.${to}.${actor}`;
  },
  /** Wildcard over everything site `from` sends to other sites: `cairn.out.<from>.>`. */
  outboxes(from: string): string {
    assertName(from, 'site name');
    return `cairn.out.${from}.>`;
  },
  /** What site `to` sources from site `from`'s outbox: `cairn.out.<from>.<to>.>`. */
  outboxTo(from: string, to: string): string {
    assertName(from, 'site name');
    assertName(to, 'site name');
    return `cairn.out.${from}.${to}.>`;
  },
  /** Subject of one actor's dead letters: `cairn.dlq.<site>.<actor>`. */
  deadLetter(site: string, actor: string): string {
    return `cairn.dlq.${site}.${actor}`;
  },
  /** Wildcard over every dead letter of a site: `cairn.dlq.<site>.>`. */
  deadLetters(site: string): string {
    assertName(site, 'site name');
    return `cairn.dlq.${site}.>`;
  },
  /** Control request to one node: `cairn.ctl.<site>.<node>.<verb>`. */
  control(site: string, node: string, verb: string): string {
    return `cairn.ctl.${site}.${node}.${verb}`;
  },
  /** Each line an actor's guest writes (OutputLine), as it writes it: `cairn.log.<site>.<actor>`. */
  output(site: string, actor: string): string {
    assertName(site, 'site name');
    assertName(actor, 'actor id');
    return `cairn.log.${site}.${actor}`;
  },
  /** One content-defined chunk of a delivered artifact, by the SHA-256 of its bytes: `cairn.chunk.<hex>`. */
  chunk(sha256Hex: string): string {
    return `cairn.chunk.${sha256Hex}`;
  },
  /** Actor lifecycle events of a site: `cairn.evt.<site>.<node>.<actor>`. */
  event(site: string, node: string, actor: string): string {
    return `cairn.evt.${site}.${node}.${actor}`;
  },
  /** Wildcard over every lifecycle event of a site. */
  events(site: string): string {
    return `cairn.evt.${site}.>`;
  },
  /** JetStream API prefix of a site's domain, for sourcing across leaf nodes. */
  jsApi(domain: string): string {
    return `$JS.${domain}.API`;
  },
  /** Takes the actor id back out of a mailbox, outbox or dead-letter subject (the last token). */
  actorOf(subject: string): string {
    return subject.slice(subject.lastIndexOf('.') + 1);
  },
} as const;

export const Streams = {
  /**
   * The chunks big artifacts (container images) are stored as, one message per distinct chunk, on
   * the cloud; edges mirror it, so a chunk travels to an edge once whatever artifacts share it.
   */
  chunks: 'CAIRN_CHUNKS',
  /** WorkQueue stream holding every mailbox of a site. */
  mailbox: (site: string): string => `CAIRN_MBX_${site}`,
  /** Limits stream holding what a site sends to other sites (other sites source from it). */
  outbox: (site: string): string => `CAIRN_OUT_${site}`,
  /** Copies of the peer sites' node registries, sourced so that a site sees its peers' nodes (and when they were last seen) even while a link is down. */
  nodeRegistry: (site: string): string => `CAIRN_NODES_${site}`,
  /** Limits stream holding the dead letters of a site. */
  deadLetters: (site: string): string => `CAIRN_DLQ_${site}`,
  /** WorkQueue stream capturing what an application's routes take in on a site, until forwarded to mailboxes. */
  routes: (site: string, app: string): string => `CAIRN_RT_${site}_${app}`,
  /** A stream a module declares for one actor instance on a site (ModuleSpec.streams), `name` from the module. */
  module: (site: string, instance: string, name: string): string => `CAIRN_MS_${site}_${instance}_${name}`,
} as const;

export const Consumers = {
  /** The one durable pull consumer a site's node uses for all of its actors' mailboxes. */
  mailbox: (site: string): string => `cairn-mbx-${site}`,
  /**
   * The durable consumer on a peer's outbox through which site `to` sources what the peer sends
   * it. It lives on the peer's server, so the position survives restarts of `to`'s server.
   */
  source: (to: string): string => `cairn-src-${to}`,
  /** The durable consumer through which a site's route forwarder reads an app's route stream. */
  routes: 'cairn-routes',
  /** The durable consumer on nats-server's MQTT message store (`$MQTT_msgs`) through which a site reads an app's QoS 1 and 2 device publishes. */
  mqttRoutes: (site: string, app: string): string => `cairn-rt-${site}-${app}`,
  /** A consumer that holds the MQTT store's interest in an app's device publishes while its consumer is made anew with another ack policy (control-plane/mqtt-store-consumer.ts). */
  mqttRoutesHandover: (site: string, app: string): string => `cairn-rth-${site}-${app}`,
} as const;

export const Buckets = {
  /** KV bucket of persisted actor state; key = actor id. */
  state: (site: string): string => `cairn_state_${site}`,
  /** KV bucket of node registrations and heartbeats; key = node id. */
  nodes: (site: string): string => `cairn_nodes_${site}`,
  /** KV bucket holding the site's leader lease (one key, `leader`): which node consumes the mailbox and runs the supervisors. */
  lease: (site: string): string => `cairn_lease_${site}`,
  /** KV bucket of desired applications, on the cloud site (edges hold a mirror of the same name); key = app name, history = revisions. */
  apps: 'cairn_apps',
  /**
   * Object store of the code `cairn apply` delivers (bundled behaviours), on the cloud site; edges
   * hold a mirror of its stream. Object name = `sha256-<hex>` of the content.
   */
  artifacts: 'cairn_artifacts',
  /**
   * KV bucket, on each site's own domain, of what its applications' modules need from its
   * nats-server for devices (listeners, principals); key = `<site>.<app>`, value = DeviceAccess JSON.
   */
  deviceAccess: 'cairn_device_access',
  /** KV bucket of what a site's app controller runs, per app; key = app name. */
  appStatus: (site: string): string => `cairn_app_status_${site}`,
} as const;

/** The stream behind a KV bucket and the subject of one key (nats-server's KV layout). */
export const KvLayout = {
  stream: (bucket: string): string => `KV_${bucket}`,
  subjects: (bucket: string): string => `$KV.${bucket}.>`,
  key(subject: string, bucket: string): string {
    return subject.slice(`$KV.${bucket}.`.length);
  },
} as const;

/** The stream behind an object store bucket (nats-server's object store layout). */
export const ObjectStoreLayout = {
  stream: (bucket: string): string => `OBJ_${bucket}`,
} as const;

/** Header names set on JetStream messages. `Nats-Msg-Id` is the server's de-duplication key. */
export const Headers = {
  msgId: 'Nats-Msg-Id',
  /** nats-server's per-message TTL (whole seconds, "<n>s"): the stream deletes the message after it. */
  ttl: 'Nats-TTL',
  /**
   * Set on a message another site sent, as its site's outbox forwarder stored it in the mailbox:
   * `<outbox stream> <sequence in it>` (the shape of nats-server's `Nats-Stream-Source`, which
   * messages an older Cairn sourced carry instead).
   */
  origin: 'Cairn-Origin',
  dlqReason: 'Cairn-Dlq-Reason',
  dlqCode: 'Cairn-Dlq-Code',
  dlqAttempts: 'Cairn-Dlq-Attempts',
  dlqSubject: 'Cairn-Dlq-Subject',
  dlqStreamSeq: 'Cairn-Dlq-Stream-Seq',
  dlqTime: 'Cairn-Dlq-Time',
  /** Set on a dead letter stored without its payload (too large to copy with the headers): the payload's size in bytes. */
  dlqOmitted: 'Cairn-Dlq-Omitted',
} as const;

// ---------------------------------------------------------------------------------------------
// Node hosting: a site's leader running guests on the other nodes of its site
// (protocols/node-host-protocol.ts, protocols/README.md "Node hosting").
// ---------------------------------------------------------------------------------------------

export const NodeHostSubjects = {
  /** Start/kill/usage/logs requests to the node host service of `node`: `cairn.ctl.<site>.<node>.host`. */
  control(site: string, node: string): string {
    assertName(site, 'site name');
    assertName(node, 'node id');
    return `cairn.ctl.${site}.${node}.host`;
  },
  /** Leader → guest frames and pings of one incarnation: `cairn.host.<site>.<node>.<incarnation>.in`. */
  toGuest(site: string, node: string, incarnation: string): string {
    return `${hostedIncarnation(site, node, incarnation)}.in`;
  },
  /** Guest → leader frames and the exit of one incarnation: `cairn.host.<site>.<node>.<incarnation>.out`. */
  fromGuest(site: string, node: string, incarnation: string): string {
    return `${hostedIncarnation(site, node, incarnation)}.out`;
  },
} as const;

function hostedIncarnation(site: string, node: string, incarnation: string): string {
  assertName(site, 'site name');
  assertName(node, 'node id');
  assertName(incarnation, 'incarnation id');
  return `cairn.host.${site}.${node}.${incarnation}`;
}
