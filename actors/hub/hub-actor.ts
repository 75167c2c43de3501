import { match } from 'ts-pattern';
import type { Logger } from 'pino';
import { defineActor, publishOnSite } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import { CairnError, ModuleCodes, downlinkSubjects, mqttTopicProblem, subjectMatches } from '../../protocols/index.ts';
import type { DeviceClient, DeviceClientsMsg, DeviceIncident, DeviceIncidentsMsg, DeviceLoginMsg } from '../../protocols/index.ts';
import { deviceClientChanges, deviceEventSubject } from './hub-clients.ts';
import type { DeviceEvent } from './hub-clients.ts';
import type { HubConfig } from './hub-config.ts';
import { HubLink } from './hub-link.ts';

/**
 * A message to devices: published on `topic` by the site's server to every device subscribed to
 * it. QoS 1 is stored for each subscribed session, offline persistent ones (clean session off)
 * too, and the hub handles the next message only after the server acknowledged it. `retain`
 * keeps it as the topic's retained message (a device that subscribes later gets it first).
 */
export type HubPublishMsg = { type: 'publish'; topic: string; payload: string | Uint8Array; qos?: 0 | 1; retain?: boolean } & Asks<HubPublished>;
export interface HubPublished {
  readonly topic: string;
  readonly qos: 0 | 1;
}

/** What a hub handles: messages to devices, its login and what its site's server refused devices (from the process running that server), and a status question. */
export type HubMsg = HubPublishMsg | DeviceLoginMsg | DeviceIncidentsMsg | DeviceClientsMsg | ({ type: 'status' } & Asks<HubStatus>);

/** Incidents counted by kind, since the hub was first started (persisted). */
export type IncidentCounts = Readonly<Record<DeviceIncident['kind'], number>>;

export interface HubStatus {
  readonly listeners: HubConfig['listeners'];
  /** The principals' user names. */
  readonly principals: readonly string[];
  readonly incidents: IncidentCounts;
  /** The latest incidents, newest last (at most RECENT_INCIDENTS). */
  readonly recent: readonly DeviceIncident[];
  /** Where it sends devices messages, and whether it is connected there now. */
  /** The hub's own MQTT login to its site's listener (null before the site told it how); `error` when it cannot log in at all. */
  readonly downlink: { readonly url: string; readonly connected: boolean; readonly error?: string } | null;
  /** Messages sent to devices since it was first started. */
  readonly published: number;
  /** The devices connected now (as the process running the server last saw them, every second), oldest first. */
  readonly clients: readonly DeviceClient[];
}

/** What a hub keeps (persisted). */
export interface HubState {
  readonly incidents: IncidentCounts;
  readonly recent: readonly DeviceIncident[];
  readonly login?: DeviceLoginMsg;
  readonly published?: number;
  readonly clients?: readonly DeviceClient[];
}

export const RECENT_INCIDENTS = 20;
const NONE: IncidentCounts = { 'login-refused': 0, 'publish-denied': 0, 'subscribe-denied': 0 };

/** The counts and latest incidents after a batch. Pure. */
export function countIncidents(state: HubState, msg: DeviceIncidentsMsg): HubState {
  const incidents = { ...state.incidents };
  for (const item of msg.items) incidents[item.kind] += 1;
  // What a full window left out is counted as the kind of its last listed incident.
  const last = msg.items[msg.items.length - 1];
  if (last && msg.omitted > 0) incidents[last.kind] += msg.omitted;
  return { incidents, recent: [...state.recent, ...msg.items].slice(-RECENT_INCIDENTS) };
}

function describe(i: DeviceIncident): string {
  return match(i.kind)
    .with('login-refused', () => `device ${JSON.stringify(i.client)} from ${i.address} was refused: wrong user name or password${i.user === undefined ? ' (it gave none)' : ` for user ${JSON.stringify(i.user)}`}`)
    .with('publish-denied', () => `device ${JSON.stringify(i.client)} published to ${i.subject ?? '?'} outside its permissions: the server dropped it (and acknowledged it, as MQTT servers do)`)
    .with('subscribe-denied', () => `device ${JSON.stringify(i.client)} subscribed to ${i.subject ?? '?'} outside its permissions: refused`)
    .exhaustive();
}

/** What is malformed in a `publish` message (it may come from any sender, over the wire), each bad field named; empty when none. Pure. */
export function publishMessageProblems(msg: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  if (typeof msg['topic'] !== 'string') problems.push(`topic must be a string, got ${JSON.stringify(msg['topic']) ?? 'nothing'}`);
  const payload = msg['payload'];
  if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) problems.push(`payload must be a string or bytes, got ${JSON.stringify(payload) ?? 'nothing'}`);
  if (msg['qos'] !== undefined && msg['qos'] !== 0 && msg['qos'] !== 1) problems.push(`qos must be 0 or 1, got ${JSON.stringify(msg['qos'])}`);
  if (msg['retain'] !== undefined && typeof msg['retain'] !== 'boolean') problems.push(`retain must be true or false, got ${JSON.stringify(msg['retain'])}`);
  return problems;
}

/** Why the hub cannot send devices a message on `topic`, or undefined. Pure. */
export function downlinkProblem(config: HubConfig, topic: string): string | undefined {
  const problem = mqttTopicProblem(topic);
  if (problem !== undefined) return `topic ${JSON.stringify(topic)}: ${problem}`;
  if (config.principals.length === 0) return undefined;
  const subject = topic.split('/').join('.');
  if (!downlinkSubjects(config.principals).some((filter) => subjectMatches(filter, subject))) {
    return `no principal may subscribe to ${JSON.stringify(topic)}, so no device could get it: add it to a principal's subscribe filters`;
  }
  return undefined;
}

// The MQTT connection of each running hub incarnation, by site and actor id.
const links = new Map<string, Promise<HubLink>>();
const linkKey = (ctx: { site: string; id: string }): string => `${ctx.site}/${ctx.id}`;

async function closeLink(key: string): Promise<void> {
  const link = links.get(key);
  links.delete(key);
  await (await link?.catch(() => undefined))?.close();
}

// Hubs whose link could not be opened at all (its error is logged, and shown by `status`).
const failedLinks = new Set<string>();

function openLink(ctx: { site: string; id: string; node: string; signal: AbortSignal; log: Logger }, login: DeviceLoginMsg): void {
  const key = linkKey(ctx);
  void closeLink(key);
  failedLinks.delete(key);
  const link = HubLink.open(login, `cairn-hub-${ctx.site}-${ctx.id}`);
  links.set(key, link);
  // Handled here, whoever opened it (a start with a saved login, or a new one): a rejection nobody
  // awaits would end the node's process.
  link.then(
    () => ctx.log.info({ url: login.url }, "hub: sends devices messages through the site server's MQTT listener"),
    (err: unknown) => {
      if (links.get(key) === link) failedLinks.add(key);
      ctx.log.error({ err, url: login.url, code: (err as CairnError).code }, `hub: cannot send devices messages: ${(err as Error).message}`);
    },
  );
  ctx.signal.addEventListener('abort', () => void closeLink(key), { once: true });
}

/**
 * The hub: the site's nats-server serves its devices (listeners and principals rendered from this
 * actor's config). The hub sends devices messages (`publish`) over its own MQTT login; counts what
 * the server refused them, logs each refusal with its reason and tells `report.to` when
 * configured; and answers `status`.
 */
export const HubActor = defineActor<HubMsg, HubState, HubConfig>({
  name: 'hub',
  persist: true,
  initialState: { incidents: NONE, recent: [] },
  // A bad request to devices is the sender's problem, not the hub's: it does not restart for it.
  onError: 'resume',
  retry: { maxAttempts: 5, initialBackoffMs: 200, maxBackoffMs: 5_000 },
  onStart: (ctx) => {
    if (ctx.state.login) openLink(ctx, ctx.state.login);
  },
  onStop: (ctx) => closeLink(linkKey(ctx)),
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'publish' }, async (m): Promise<HubPublished> => {
        const malformed = publishMessageProblems(m as unknown as Record<string, unknown>);
        if (malformed.length > 0) throw new CairnError(ModuleCodes.HUB_MESSAGE_INVALID, `the hub cannot send devices this message: ${malformed.join('; ')}`, { details: { problems: malformed } });
        const problem = downlinkProblem(ctx.config, m.topic);
        if (problem !== undefined) throw new CairnError(ModuleCodes.HUB_TOPIC_REFUSED, `the hub cannot send devices this message: ${problem}`, { details: { topic: m.topic } });
        const link = links.get(linkKey(ctx));
        if (!link) throw new CairnError(ModuleCodes.HUB_NOT_CONNECTED, "the hub has not been told how to reach its site's MQTT listener yet (it needs an MQTT listener, and the process running the server tells it); the message is retried");
        const qos = m.qos ?? 0;
        await (await link).publish(m.topic, m.payload, qos, m.retain ?? false);
        ctx.setState({ ...ctx.state, published: (ctx.state.published ?? 0) + 1 });
        return { topic: m.topic, qos };
      })
      .with({ type: 'device-login' }, (m) => {
        // The same login again opens the link again only when it could not be opened (a certificate fixed in place).
        if (JSON.stringify(ctx.state.login) === JSON.stringify(m) && links.has(linkKey(ctx)) && !failedLinks.has(linkKey(ctx))) return;
        ctx.setState({ ...ctx.state, login: m });
        openLink(ctx, m);
      })
      .with({ type: 'device-incidents' }, async (m) => {
        for (const item of m.items) ctx.log.warn({ incident: item }, `hub: ${describe(item)}`);
        if (m.omitted > 0) ctx.log.warn({ omitted: m.omitted }, `hub: ${m.omitted} more incidents in the same second`);
        ctx.setState({ ...ctx.state, ...countIncidents(ctx.state, m) });
        if (ctx.config.report) await ctx.tell(ctx.ref<DeviceIncidentsMsg>(ctx.config.report.to), m);
      })
      .with({ type: 'device-clients' }, async (m) => {
        const { connected, disconnected, brief } = deviceClientChanges(ctx.state.clients ?? [], m.clients, m.closed);
        if (connected.length === 0 && disconnected.length === 0 && brief.length === 0) return;
        const at = Date.now();
        const until = new Map((m.closed ?? []).map((c) => [c.cid, c.until]));
        const event = (kind: DeviceEvent['event'], c: DeviceClient): DeviceEvent => {
          const stop = kind === 'disconnected' ? until.get(c.cid) : undefined;
          return { event: kind, client: c.client, ...(c.user === undefined ? {} : { user: c.user }), address: c.address, since: c.since, ...(stop === undefined ? {} : { until: stop }), at };
        };
        // In the order they happened: those gone, those that came and went in between, those new.
        const events: DeviceEvent[] = [...disconnected.map((c) => event('disconnected', c)), ...brief.flatMap((c) => [event('connected', c), event('disconnected', c)]), ...connected.map((c) => event('connected', c))];
        for (const e of events) ctx.log.info({ device: e }, `hub: device ${JSON.stringify(e.client)}${e.user === undefined ? '' : ` (user ${JSON.stringify(e.user)})`} ${e.event} from ${e.address}`);
        // Published before the state moves on: a failed publish is retried with the same changes.
        const subject = ctx.config.events?.subject;
        if (subject !== undefined && ctx.nats) {
          for (const e of events) await publishOnSite(ctx.nats, deviceEventSubject(subject, e.event, e.client), new TextEncoder().encode(JSON.stringify(e)));
        }
        ctx.setState({ ...ctx.state, clients: m.clients });
      })
      .with({ type: 'status' }, async (): Promise<HubStatus> => {
        let linkError: string | undefined;
        const link = await links.get(linkKey(ctx))?.catch((err: unknown) => void (linkError = `${(err as CairnError).code ?? 'error'}: ${(err as Error).message}`));
        return {
          listeners: ctx.config.listeners,
          principals: ctx.config.principals.map((p) => (p.certificate ?? p.username)!),
          incidents: ctx.state.incidents,
          recent: ctx.state.recent,
          downlink: link ? { url: link.login.url, connected: link.connected } : ctx.state.login && linkError !== undefined ? { url: ctx.state.login.url, connected: false, error: linkError } : null,
          published: ctx.state.published ?? 0,
          clients: ctx.state.clients ?? [],
        };
      })
      .exhaustive(),
});
