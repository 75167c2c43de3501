// What `cairn hub check` has a throwaway nats-server try for each device principal of a hub (the
// probes), and what it says of the server's answers. Pure: hub-probe.ts runs the probes.
import { mqttFilterSubjects, subjectMatches } from '../../protocols/index.ts';
import type { DevicePrincipal } from '../../protocols/index.ts';
import type { Application } from '../../control-plane/index.ts';
import { HubModule } from '../../actors/index.ts';
import type { HubConfig } from '../../actors/index.ts';
import type { HubCheckLine } from './hub-check-report.ts';

/** One topic one principal publishes at QoS 1; `allowed`: what its publish filters say of it. */
export interface PublishProbe {
  readonly who: string;
  readonly topic: string;
  readonly allowed: boolean;
}

/** One of a principal's own subscribe filters, which the server must grant. */
export interface SubscribeProbe {
  readonly who: string;
  readonly filter: string;
}

/** The probes of one hub: its principals as the site's server would render them, and what each tries. */
export interface HubProbePlan {
  readonly app: string;
  readonly hub: string;
  readonly principals: readonly DevicePrincipal[];
  readonly publishes: readonly PublishProbe[];
  readonly subscribes: readonly SubscribeProbe[];
}

/** What the server did with each probe, in plan order. */
export interface HubProbeResult {
  readonly delivered: readonly boolean[];
  readonly granted: readonly boolean[];
}

/** The level a probe puts in its topic for each wildcard. */
export const PROBE_LEVEL = 'cairn-probe';

/**
 * Topics that `filter` matches, one per way it can match: each `+` and `#` a probe level, and for
 * a trailing `#` also the topic without it (`a/#` matches `a`, which nats-server permits
 * separately: `a.>` does not cover `a`).
 */
export function probeTopics(filter: string): string[] {
  const levels = filter.split('/');
  const concrete = levels.map((l) => (l === '+' || l === '#' ? PROBE_LEVEL : l)).join('/');
  const topics = [concrete];
  if (levels.length > 1 && levels[levels.length - 1] === '#') topics.push(levels.slice(0, -1).map((l) => (l === '+' ? PROBE_LEVEL : l)).join('/'));
  return topics;
}

/**
 * A topic both filters match, or undefined when none exists: a route's topics as one principal
 * may publish them (`plant/+/temp` and `plant/s1/#` meet in `plant/s1/temp`).
 */
export function meetingTopic(a: string, b: string): string | undefined {
  const x = a.split('/');
  const y = b.split('/');
  const out: string[] = [];
  const concrete = (levels: string[]): string[] => levels.map((l) => (l === '+' || l === '#' ? PROBE_LEVEL : l));
  for (let i = 0; ; i++) {
    const l = x[i];
    const r = y[i];
    // `a/#` matches `a` too.
    if (l === '#') return [...out, ...concrete(y.slice(i))].join('/');
    if (r === '#') return [...out, ...concrete(x.slice(i))].join('/');
    if (l === undefined || r === undefined) return l === r ? out.join('/') : undefined;
    if (l === '+' || r === '+' || l === r) out.push(l === '+' ? (r === '+' ? PROBE_LEVEL : r) : l);
    else return undefined;
  }
}

const mayPublish = (p: DevicePrincipal, topic: string): boolean => {
  const subject = topic.split('/').join('.');
  return p.publish.some((f) => mqttFilterSubjects(f).some((s) => subjectMatches(s, subject)));
};

/**
 * The probes of each hub of `app` with principals: every principal publishes a topic of each of
 * its publish filters, of each MQTT route, and of where the two meet (what its filters say decides
 * whether the server must let it through), and subscribes to each of its subscribe filters. A hub without principals lets
 * every device do anything, and has none.
 */
export function hubProbePlans(app: Application, hubs: readonly { readonly id: string; readonly config: HubConfig }[]): HubProbePlan[] {
  const routeFilters = app.spec.routes.flatMap((r) => (r.from.mqtt === undefined ? [] : [r.from.mqtt]));
  return hubs.flatMap((hub) => {
    const principals = HubModule.deviceAccess!(hub.config).principals;
    if (principals.length === 0) return [];
    const publishes = principals.flatMap((p) =>
      [...new Set([...p.publish.flatMap(probeTopics), ...routeFilters.flatMap((r) => [...p.publish.flatMap((f) => meetingTopic(f, r) ?? []), ...probeTopics(r)])])].map((topic) => ({
        who: p.username,
        topic,
        allowed: mayPublish(p, topic),
      })),
    );
    const subscribes = principals.flatMap((p) => p.subscribe.map((filter) => ({ who: p.username, filter })));
    return [{ app: app.metadata.name, hub: hub.id, principals, publishes, subscribes }];
  });
}

/**
 * The lines for what the server did: each probe as it came out, a warning where the server and
 * the principal's filters disagree (what Cairn rendered, or this server, does not do what the
 * manifest says).
 */
export function hubProbeLines(plan: HubProbePlan, result: HubProbeResult): HubCheckLine[] {
  const lines: HubCheckLine[] = plan.publishes.map((p, i) => {
    const delivered = result.delivered[i] === true;
    if (delivered === p.allowed) return { level: 'ok', text: `server: ${p.who} publishing ${p.topic}: ${delivered ? 'delivered' : 'dropped (outside its publish filters)'}` };
    return {
      level: 'warn',
      text: delivered
        ? `server: ${p.who} publishing ${p.topic}: delivered, though outside its publish filters`
        : `server: ${p.who} publishing ${p.topic}: dropped, though its publish filters allow it`,
    };
  });
  plan.subscribes.forEach((s, i) => {
    lines.push(
      result.granted[i] === true
        ? { level: 'ok', text: `server: ${s.who} subscribing ${s.filter}: granted` }
        : { level: 'warn', text: `server: ${s.who} subscribing ${s.filter}: refused, though its subscribe filters allow it` },
    );
  });
  return lines;
}
