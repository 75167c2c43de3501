import { X509Certificate, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kvm } from '@nats-io/kv';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Buckets, DOWNLINK_USER, isCairnError } from '../../protocols/index.ts';
import type { DeviceAccess, DeviceClient, DeviceClientsMsg, DeviceIncident, DeviceIncidentsMsg, DeviceLoginMsg } from '../../protocols/index.ts';
import { ClosedDevices, certificateSubject, closedConnzPath, connzPath, deviceClientsOf, downlinkLogin, freePort, parseDeviceIncident, withDeviceAccess } from '../nats-server/index.ts';
import type { NatsServerConfig, ReconfigurableServer } from '../nats-server/index.ts';

/** How often refused devices are told to their hub, at most. */
const INCIDENT_WINDOW_MS = 1_000;
const INCIDENTS_PER_WINDOW = 100;
/** Closed connections read each second: more devices leaving within one second are not all seen. */
const CLOSED_PER_READ = 1_024;

export interface DeviceAccessSyncOptions {
  readonly site: string;
  /** The site's nats-server; the sync connects to it on its own (it runs before any node, and across restarts). */
  readonly server: ReconfigurableServer;
  /** The site's configuration without devices (sites file, or cairn up's). */
  readonly base: NatsServerConfig;
  readonly log: Logger;
  /** Tells an actor of this site a message (the hub its incidents and its login); rejects while no node runs. */
  readonly tell: (actor: string, msg: DeviceIncidentsMsg | DeviceLoginMsg | DeviceClientsMsg) => Promise<unknown>;
  readonly signal: AbortSignal;
  /** Hears each change the server took (after it took it). */
  readonly onReconfigured?: (how: 'reload' | 'restart') => void;
}

/**
 * On an MQTT listener that maps client certificates to users, the hub logs in with the listener's
 * own certificate: its subject is the hub's user there. Read from the certificate file.
 */
function downlinkIdentity(entries: readonly DeviceAccess[], log: Logger): { downlinkSubject?: string } {
  const tls = entries.find((e) => e.mqtt)?.mqtt?.tls;
  if (!tls?.map) return {};
  try {
    return { downlinkSubject: certificateSubject(new X509Certificate(readFileSync(tls.cert)).subject) };
  } catch (err) {
    log.warn({ err, cert: tls.cert }, "device access: the MQTT listener's certificate could not be read; the hub cannot log in there to send devices messages");
    return {};
  }
}

/**
 * Runs beside the site's nats-server in the process that started it: watches this site's entries
 * of `cairn_device_access` and gives the server what they ask for (reload or restart), tells each
 * hub how to reach the MQTT listener to send devices messages (again whenever that changes), and
 * tells it what the server refused its devices (read from the server's log), batched per second.
 * Resolves once the current entries are applied (start it before the site's node, so that a
 * restart for a hub's listeners happens before the node connects); runs until `signal` aborts.
 */
export async function syncDeviceAccess(o: DeviceAccessSyncOptions): Promise<void> {
  const nc = await connect({ servers: o.server.url, name: `cairn-device-access-${o.site}`, maxReconnectAttempts: -1 });
  o.signal.addEventListener('abort', () => void nc.close().catch(() => undefined), { once: true });
  const kv = await new Kvm(jetstream(nc)).create(Buckets.deviceAccess, { history: 1 });
  const entries = new Map<string, DeviceAccess>();
  // The site's own clients connect without credentials; this password is never handed out.
  const internalPassword = randomBytes(24).toString('base64url');
  const prefix = `${o.site}.`;
  // Where the server's monitoring endpoint listens (loopback) while devices have a listener: the
  // sites file's, or a free port of this process's choosing (two sites on one machine never share one).
  const monitor = o.base.http ?? `127.0.0.1:${await freePort()}`;
  // The users the hub itself logs in as (not devices).
  let hubUsers: string[] = [DOWNLINK_USER];
  const render = (ordered: readonly DeviceAccess[]): NatsServerConfig => {
    const identity = downlinkIdentity(ordered, o.log);
    hubUsers = [DOWNLINK_USER, ...(identity.downlinkSubject === undefined ? [] : [identity.downlinkSubject])];
    const config = withDeviceAccess(o.base, ordered, internalPassword, identity);
    return config.mqtt || config.websocket ? { ...config, http: monitor } : config;
  };
  // The login each hub was last told (and the ones still to tell: no node yet, or a failed tell).
  const told = new Map<string, string>();

  const tellLogins = (): void => {
    const login = downlinkLogin(o.server.config, internalPassword);
    for (const e of entries.values()) {
      if (!login) continue;
      const key = JSON.stringify(login);
      if (told.get(e.actor) === key) continue;
      o.tell(e.actor, login).then(
        () => told.set(e.actor, key),
        (err: unknown) => o.log.debug({ err, actor: e.actor }, 'device access: hub not told its login yet; trying again'),
      );
    }
  };

  const apply = async (): Promise<void> => {
    const ordered = [...entries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e);
    try {
      const how = await o.server.reconfigure(render(ordered));
      tellLogins();
      if (how === 'none') return;
      o.log.info({ how, apps: [...entries.keys()] }, `device access: nats-server ${how === 'reload' ? 'reloaded' : 'restarted'} with the listeners and principals of its hubs`);
      o.onReconfigured?.(how);
    } catch (err) {
      o.log.error({ err, code: isCairnError(err) ? err.code : undefined }, 'device access: the server keeps its previous configuration');
    }
  };

  const iter = await kv.watch({ key: `${prefix}>` });
  o.signal.addEventListener('abort', () => iter.stop(), { once: true });
  let initial = true;
  let ready!: () => void;
  const applied = new Promise<void>((r) => (ready = r));
  void (async () => {
    for await (const e of iter) {
      const app = e.key.slice(prefix.length);
      // A new revision (or a deleted app's hub applied again) is told its login afresh.
      const before = entries.get(app);
      if (before) told.delete(before.actor);
      if (e.operation === 'PUT') {
        try {
          entries.set(app, e.json<DeviceAccess>());
        } catch (err) {
          o.log.warn({ err, key: e.key }, 'device access: unreadable entry skipped');
        }
      } else entries.delete(app);
      // The first apply waits for the whole initial state (delta 0 is its last entry).
      if (initial && (e.delta ?? 0) > 0) continue;
      initial = false;
      await apply();
      ready();
    }
  })().catch((err: unknown) => o.log.error({ err }, 'device access: watch ended'));
  // An empty bucket sends nothing: apply what there is (the base) at once.
  if ((await kv.status()).values === 0) {
    initial = false;
    ready();
  }

  // Incidents, per hub, told at most once per window.
  let pending: DeviceIncident[] = [];
  let omitted = 0;
  const off = o.server.onLog((line) => {
    const incident = parseDeviceIncident(line);
    if (!incident) return;
    if (pending.length < INCIDENTS_PER_WINDOW) pending.push(incident);
    else omitted += 1;
  });
  // The devices connected, read from the monitoring endpoint each second; the hub is told the
  // whole list whenever it changed, with the connections that closed since (so that one that came
  // and went within the second is seen too). One tell in flight; a failed one is made again next
  // second. Open connections are read before closed ones: one that closes in between is in both
  // (still connected for now), never in neither.
  let clientsTold = '[]';
  let clientsBusy = false;
  const closedDevices = new ClosedDevices();
  const connz = async (path: string): Promise<{ total?: number; limit?: number }> => (await fetch(`http://${o.server.config.http}${path}`, { signal: AbortSignal.timeout(2_000) })).json() as Promise<{ total?: number; limit?: number }>;
  const tellClients = async (hub: string): Promise<void> => {
    if (clientsBusy || !(o.server.config.mqtt || o.server.config.websocket) || !o.server.config.http) return;
    clientsBusy = true;
    try {
      const clients: DeviceClient[] = [];
      for (let offset = 0; ; ) {
        const body = await connz(connzPath(1024, offset));
        clients.push(...deviceClientsOf(body, hubUsers));
        offset += body.limit ?? 1024;
        if (offset >= (body.total ?? 0)) break;
      }
      const closed = deviceClientsOf(await connz(closedConnzPath(CLOSED_PER_READ)), hubUsers);
      const news = closedDevices.news(closed);
      const key = JSON.stringify(clients);
      if (key === clientsTold && news.length === 0) return;
      await o.tell(hub, { type: 'device-clients', clients, ...(news.length === 0 ? {} : { closed: news }) });
      clientsTold = key;
      closedDevices.tookAll(closed);
    } catch (err) {
      o.log.debug({ err }, 'device access: connected devices not read or not told; trying again');
    } finally {
      clientsBusy = false;
    }
  };

  // One batch in flight at a time, so that batches reach the hub in the order the server logged them.
  let sending = false;
  const timer = setInterval(() => {
    tellLogins();
    const deviceHub = [...entries.values()].find((e) => e.principals.length > 0 || e.mqtt || e.websocket)?.actor;
    if (deviceHub) void tellClients(deviceHub);
    if (pending.length === 0 || sending) return;
    const items = pending;
    const msg: DeviceIncidentsMsg = { type: 'device-incidents', items, omitted };
    pending = [];
    omitted = 0;
    const hub = [...entries.values()].find((e) => e.principals.length > 0 || e.mqtt || e.websocket)?.actor;
    if (!hub) return o.log.warn({ incidents: items, omitted: msg.omitted }, 'device access: the server refused devices, and no hub runs on this site to be told');
    sending = true;
    o.tell(hub, msg)
      .catch((err: unknown) => {
        // Told again with the next window's (the node restarts, or its connection is back soon).
        o.log.warn({ err, count: items.length }, 'device access: could not tell the hub what the server refused; trying again');
        const back = [...items, ...pending];
        pending = back.slice(0, INCIDENTS_PER_WINDOW);
        omitted += msg.omitted + back.length - pending.length;
      })
      .finally(() => (sending = false));
  }, INCIDENT_WINDOW_MS);
  o.signal.addEventListener('abort', () => {
    clearInterval(timer);
    off();
  }, { once: true });
  await applied;
}
