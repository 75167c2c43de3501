import { match } from 'ts-pattern';
import { defineActor } from '../../kernel/index.ts';
import type { Asks } from '../../kernel/index.ts';
import type { DeviceIncident, DeviceIncidentsMsg } from '../../protocols/index.ts';
import type { HubConfig } from './hub-config.ts';

/** What a hub handles: what its site's server refused devices, and a status question. */
export type HubMsg = DeviceIncidentsMsg | ({ type: 'status' } & Asks<HubStatus>);

/** Incidents counted by kind, since the hub was first started (persisted). */
export type IncidentCounts = Readonly<Record<DeviceIncident['kind'], number>>;

export interface HubStatus {
  readonly listeners: HubConfig['listeners'];
  /** The principals' user names. */
  readonly principals: readonly string[];
  readonly incidents: IncidentCounts;
  /** The latest incidents, newest last (at most RECENT_INCIDENTS). */
  readonly recent: readonly DeviceIncident[];
}

/** What a hub keeps (persisted). */
export interface HubState {
  readonly incidents: IncidentCounts;
  readonly recent: readonly DeviceIncident[];
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

/**
 * The hub: the site's nats-server serves its devices (listeners and principals rendered from this
 * actor's config); the hub counts what the server refused them, logs each refusal with its reason,
 * tells `report.to` when configured, and answers `status`.
 */
export const HubActor = defineActor<HubMsg, HubState, HubConfig>({
  name: 'hub',
  persist: true,
  initialState: { incidents: NONE, recent: [] },
  receive: (msg, ctx) =>
    match(msg)
      .with({ type: 'device-incidents' }, async (m) => {
        for (const item of m.items) ctx.log.warn({ incident: item }, `hub: ${describe(item)}`);
        if (m.omitted > 0) ctx.log.warn({ omitted: m.omitted }, `hub: ${m.omitted} more incidents in the same second`);
        ctx.setState(countIncidents(ctx.state, m));
        if (ctx.config.report) await ctx.tell(ctx.ref<DeviceIncidentsMsg>(ctx.config.report.to), m);
      })
      .with({ type: 'status' }, (): HubStatus => ({
        listeners: ctx.config.listeners,
        principals: ctx.config.principals.map((p) => p.username),
        incidents: ctx.state.incidents,
        recent: ctx.state.recent,
      }))
      .exhaustive(),
});
